package io.molia.cli;

import io.molia.node.MoliaAddress;
import io.molia.options.LongRange;
import io.molia.options.MoliaAddressConverter;
import picocli.CommandLine.Option;

/**
 * The options every load bench that reads the node's own cost shares ({@code bench flood}, {@code bench handshakes}):
 * the node to load, its PID for CPU and RSS from /proc, and JSON output. A picocli mixin.
 */
final class MeasuredNode {
    @Option(names = "--target", required = true, converter = MoliaAddressConverter.class,
            description = "molia://<key>@host:port of the node.")
    MoliaAddress target;

    @Option(names = "--node-pid", defaultValue = "0", converter = LongRange.NonNegative.class,
            description = "The node's PID, to read its CPU and RSS.")
    long nodePid;

    @Option(names = "--json", description = "One JSON object instead of text.")
    boolean json;
}
