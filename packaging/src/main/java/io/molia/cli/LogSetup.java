package io.molia.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/**
 * Switches the process's logging between text lines and JSON lines on stderr, at a given level; full addresses and
 * keys hidden ({@link RedactingEncoder}) unless unsafe logging is asked for.
 */
final class LogSetup {
    private LogSetup() {
    }

    static void configure(String format, Level level) {
        configure(format, level, false);
    }

    /** {@code unsafe}: addresses and keys whole ({@code molia node --log-unsafe}), for debugging on one's own host. */
    static void configure(String format, Level level, boolean unsafe) {
        configure((LoggerContext) LoggerFactory.getILoggerFactory(), format, level, unsafe);
    }

    /** Also the default of every command ({@link ConsoleLogConfigurator}), before slf4j is usable. */
    static void configure(LoggerContext context, String format, Level level, boolean unsafe) {
        Encoder<ILoggingEvent> encoder;
        switch (format) {
            case "json" -> {
                JsonEncoder json = new JsonEncoder();
                json.setContext(context);
                encoder = json;
            }
            case "text" -> {
                PatternLayoutEncoder text = new PatternLayoutEncoder();
                text.setContext(context);
                text.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg %kvp%n");
                encoder = text;
            }
            default -> throw new IllegalArgumentException("--log-format must be text or json, not '" + format + "'");
        }
        if (!unsafe) {
            encoder = new RedactingEncoder(encoder);
            encoder.setContext(context);
        }
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
        root.setLevel(level);
    }

    /** The {@code --log-format} option: text or json. */
    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String format) {
            if (!format.equals("text") && !format.equals("json")) {
                throw new picocli.CommandLine.TypeConversionException("expected text or json, got '" + format + "'");
            }
            return format;
        }
    }

    /**
     * Stops printing log lines on the console (a full-screen dashboard owns it); other appenders, such as the
     * admin socket's ring of recent warnings, keep receiving them.
     */
    static void quietConsole() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        java.util.List<ch.qos.logback.core.Appender<ILoggingEvent>> consoles = new java.util.ArrayList<>();
        root.iteratorForAppenders().forEachRemaining(a -> {
            if (a instanceof ConsoleAppender) {
                consoles.add(a);
            }
        });
        for (ch.qos.logback.core.Appender<ILoggingEvent> a : consoles) {
            root.detachAppender(a);
            a.stop();
        }
    }
}
