package io.polarway.memory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link CgroupLimitTest}, run inside a {@link CgroupSandbox}:
 * <ul>
 *   <li>{@code write FILE MB}: writes MB mebibytes to FILE (page cache; no fsync), then prints a {@link MemoryMonitor}
 *       snapshot as JSON;</li>
 *   <li>{@code alloc MB}: allocates and touches MB mebibytes of heap byte arrays, keeps them, then prints
 *       {@code allocated} (it should be OOM-killed before).</li>
 * </ul>
 */
public final class CgroupTestChild {
    private CgroupTestChild() {
    }

    public static void main(String[] args) throws IOException {
        switch (args[0]) {
            case "write" -> {
                writeFile(Path.of(args[1]), Integer.parseInt(args[2]));
                System.out.println(MemoryMonitor.toJson(MemoryMonitor.create(0, null).sample()));
            }
            case "alloc" -> {
                int mb = Integer.parseInt(args[1]);
                List<byte[]> keep = new ArrayList<>();
                for (int i = 0; i < mb; i++) {
                    byte[] b = new byte[1 << 20];
                    for (int j = 0; j < b.length; j += 4096) b[j] = (byte) (i + j);
                    keep.add(b);
                }
                System.out.println("allocated " + keep.size() + " MiB");
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        System.out.flush();
    }

    private static void writeFile(Path file, int mb) throws IOException {
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) i;
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < mb; i++) out.write(chunk);
        }
    }
}
