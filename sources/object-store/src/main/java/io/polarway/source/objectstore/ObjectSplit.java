package io.polarway.source.objectstore;

import io.polarway.api.SourceSplit;
import io.polarway.source.objectstore.ObjectStore.ObjectInfo;

import java.util.List;

/**
 * A run of consecutive objects (in key order) that one reader reads one after the other. Splits never overlap and,
 * read in order, cover every object once. A plain description: no open connections.
 */
record ObjectSplit(int index, List<ObjectInfo> objects, String firstUri) implements SourceSplit {
    ObjectSplit {
        objects = List.copyOf(objects);
        if (objects.isEmpty()) throw new IllegalArgumentException("empty split");
    }

    @Override
    public String splitId() {
        return objects.size() == 1 ? firstUri : "objects[" + index + "]:" + firstUri + "+" + (objects.size() - 1);
    }

    @Override
    public long estimatedBytes() {
        return objects.stream().mapToLong(ObjectInfo::sizeBytes).sum();
    }
}
