package io.molia.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A config file of {@code key = value} lines: the key is a long option name without its dashes, the value what
 * the flag would take ({@code bootstrap = molia://a@h:1,molia://b@h:2}; {@code ready-json = true}). {@code #}
 * at the start of a line or after a space starts a comment; blank lines are skipped. A malformed line or a key given
 * twice is an error naming the line. Immutable.
 */
record ConfigFile(Path path, Map<String, Setting> settings) {
    /** One value and the line it came from. */
    record Setting(String value, int line) {
    }

    private static final Pattern INLINE_COMMENT = Pattern.compile("(^|\\s)#.*$");

    static ConfigFile read(Path path) throws IOException {
        List<String> lines = Files.readAllLines(path);
        if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
            lines.set(0, lines.get(0).substring(1)); // a byte order mark, as some editors write one
        }
        Map<String, Setting> settings = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = INLINE_COMMENT.matcher(lines.get(i)).replaceFirst("").strip();
            int number = i + 1;
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? "" : line.substring(0, eq).strip();
            if (key.isEmpty()) {
                throw new IllegalArgumentException(path + " line " + number + ": expected key = value, got '"
                        + line + "'");
            }
            if (key.startsWith("-")) {
                throw new IllegalArgumentException(path + " line " + number + ": write the key without dashes ('"
                        + key.replaceFirst("^-+", "") + " = ...')");
            }
            Setting previous = settings.put(key, new Setting(line.substring(eq + 1).strip(), number));
            if (previous != null) {
                throw new IllegalArgumentException(path + " line " + number + ": '" + key
                        + "' is already set on line " + previous.line());
            }
        }
        return new ConfigFile(path, Collections.unmodifiableMap(settings));
    }

    /** Where a setting came from, as {@code FILE:LINE}. */
    String source(String key) {
        return path + ":" + settings.get(key).line();
    }
}
