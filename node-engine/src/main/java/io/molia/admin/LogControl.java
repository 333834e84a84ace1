package io.molia.admin;

import java.util.List;

/**
 * The logging backend as the admin socket reaches it: node-engine logs through SLF4J only and does not know the
 * backend, so whoever starts the node (the distribution, with Logback) passes an implementation in. Without one,
 * the log-level and recent-errors requests answer "not available". Implementations are thread-safe.
 */
public interface LogControl {
    /** Sets {@code logger} ("ROOT" or a name) to {@code level} (TRACE..ERROR, OFF; null or empty to inherit). */
    void setLevel(String logger, String level);

    /** The loggers with a level set, and the root. */
    List<LoggerLevel> levels();

    /** The last {@code max} warnings and errors logged, oldest first (a bounded ring; messages, no stack traces). */
    List<LogEvent> recentWarnings(int max);

    /** Warnings and errors logged since the start. */
    long warningsTotal();

    /** A logger and its levels. */
    record LoggerLevel(String logger, String level, String effective) {
    }

    /** One warning or error. */
    record LogEvent(long unixMs, String level, String logger, String message) {
    }
}
