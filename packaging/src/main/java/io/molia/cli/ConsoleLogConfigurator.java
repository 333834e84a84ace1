package io.molia.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The default logging of every molia command, found by logback through META-INF/services: INFO and above, one
 * redacted text line each, on stderr (stdout is for output); Chronicle Queue (the WAL), which announces itself and
 * its file mappings at INFO, at WARN. In code rather than a logback.xml: parsing the XML loaded about 400 classes
 * (an XML parser, logback's model) and took a few hundred milliseconds of every start (docs/benchmarks.md, "A small
 * node"). Commands that log otherwise reconfigure through {@link LogSetup}.
 */
public final class ConsoleLogConfigurator extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        LogSetup.configure(context, "text", Level.INFO, false);
        context.getLogger("net.openhft").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
