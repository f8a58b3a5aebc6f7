package io.polarway.source.file;

import io.polarway.api.SourceSplit;

import java.util.List;

/**
 * A run of consecutive files (in the source's order) that one reader reads one after the other. Splits never
 * overlap and, read in order, cover every file once.
 *
 * @param index position of the split in the plan
 * @param files the files, in order
 */
record FileSplit(int index, List<FileEntry> files) implements SourceSplit {
    FileSplit {
        files = List.copyOf(files);
        if (files.isEmpty()) throw new IllegalArgumentException("empty split");
    }

    @Override
    public String splitId() {
        return files.size() == 1 ? files.get(0).toString()
                : "files[" + index + "]:" + files.get(0) + ".." + files.get(files.size() - 1);
    }

    @Override
    public long estimatedBytes() {
        return files.stream().mapToLong(FileEntry::sizeBytes).sum();
    }
}
