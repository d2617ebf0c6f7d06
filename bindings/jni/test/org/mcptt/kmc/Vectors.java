package org.mcptt.kmc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The repository's test vectors (tests/vectors/*.json, the directory given by the system
 * property {@code mcptt.kmc.vectors}), read field by field: the files are flat enough for a
 * pattern, and the tests need no JSON library.
 */
final class Vectors {
    private Vectors() {}

    static String text(String file) {
        Path dir = Paths.get(System.getProperty("mcptt.kmc.vectors", "tests/vectors"));
        try {
            return new String(Files.readAllBytes(dir.resolve(file)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every value of string field {@code key}, in file order. */
    static List<String> strings(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Every value of number field {@code key}, in file order. */
    static List<Long> numbers(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*([0-9]+)").matcher(json);
        List<Long> out = new ArrayList<>();
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    /** The first value of hex field {@code key}, decoded. */
    static byte[] hex(String json, String key) {
        List<String> all = strings(json, key);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no field " + key);
        }
        return unhex(all.get(0));
    }

    static byte[] unhex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
