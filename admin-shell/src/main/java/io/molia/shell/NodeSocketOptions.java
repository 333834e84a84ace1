package io.molia.shell;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/**
 * Which node's admin socket a command talks to: {@code --socket}, {@code --data-dir}, or {@code --node N} of a
 * {@code molia devnet}. A picocli mixin shared by {@code molia shell} and {@code molia dash}.
 */
public final class NodeSocketOptions {
    @Option(names = "--socket", description = "The node's admin socket.")
    Path socket;

    @Option(names = "--data-dir", description = "The node's data dir; with --node, a devnet's data dir.")
    Path dataDir;

    @Option(names = "--node", converter = io.molia.options.IntRange.NonNegative.class,
            description = "Node N of a `molia devnet` (<data-dir>/node-N).")
    Integer node;

    /** The socket the options name (see {@link AdminCommands#resolveSocket}). */
    public Path socket() {
        return AdminCommands.resolveSocket(socket, dataDir, node);
    }

    /** The devnet's data dir when {@code --node} names one of its nodes, otherwise null. */
    public Path devnetDir() {
        return node == null ? null : dataDir != null ? dataDir : AdminCommands.DEFAULT_DEVNET_DIR;
    }

    /** The devnet node number, or -1. */
    public int devnetNode() {
        return node == null ? -1 : node;
    }
}
