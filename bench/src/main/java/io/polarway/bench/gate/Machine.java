package io.polarway.bench.gate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The machine a result was measured on: CPU model, cores, RAM, JVM and kernel. {@link #id()} is what the gate
 * compares: the same id means raw scores are comparable; a different one means only calibration-normalised scores are.
 *
 * @param cpuModel  {@code model name} from /proc/cpuinfo
 * @param cores     available processors
 * @param ramGiB    physical RAM, GiB rounded
 * @param jvm       vendor and version
 * @param kernel    os.name and os.version
 */
public record Machine(String cpuModel, int cores, long ramGiB, String jvm, String kernel) {

    public static Machine current() {
        String model = "unknown";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        long ram = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    ram = Math.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0);
                    break;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return new Machine(model, Runtime.getRuntime().availableProcessors(), ram,
                System.getProperty("java.vendor") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"));
    }

    /** CPU model, cores, RAM and the JVM's major version: what decides whether raw scores compare. */
    public String id() {
        String major = jvm.replaceAll(".* (\\d+).*", "$1");
        return (cpuModel + "|" + cores + "c|" + ramGiB + "GiB|jdk" + major).replaceAll("\\s+", " ");
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id());
        m.put("cpu_model", cpuModel);
        m.put("cores", cores);
        m.put("ram_gib", ramGiB);
        m.put("jvm", jvm);
        m.put("kernel", kernel);
        return m;
    }
}
