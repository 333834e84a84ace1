package io.molia.adminclient;

import java.nio.file.Path;

import io.molia.admin.AdminProtocol;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Which node's admin socket a command talks to: {@code --socket}, {@code --data-dir}, or {@code --node N} of a
 * {@code molia devnet}. A picocli mixin shared by {@code molia shell} and {@code molia dash}; {@code molia admin}
 * declares the same options inherited by its subcommands and resolves them with {@link #resolve}.
 */
public final class NodeSocketOptions {
    /** Where {@code molia devnet} puts its nodes when not told otherwise. */
    public static final Path DEFAULT_DEVNET_DIR = Path.of("devnet-data");

    @Option(names = "--socket", description = "The node's admin socket.")
    Path socket;

    @Option(names = "--data-dir", description = "The node's data dir; with --node, a devnet's data dir.")
    Path dataDir;

    @Option(names = "--node", converter = io.molia.options.IntRange.NonNegative.class,
            description = "Node N of a `molia devnet` (<data-dir>/node-N).")
    Integer node;

    /** The socket the options name. */
    public Path socket() {
        return resolve(socket, dataDir, node);
    }

    /** The devnet's data dir when {@code --node} names one of its nodes, otherwise null. */
    public Path devnetDir() {
        return node == null ? null : dataDir != null ? dataDir : DEFAULT_DEVNET_DIR;
    }

    /** The devnet node number, or -1. */
    public int devnetNode() {
        return node == null ? -1 : node;
    }

    /**
     * The socket these options name: {@code socket} itself, node N's under a devnet's data dir, the data dir's, or
     * {@code MOLIA_ADMIN_SOCKET}; naming none is bad usage (the command's usage error handler says so in one line).
     */
    public static Path resolve(Path socket, Path dataDir, Integer node) {
        if (socket != null) {
            return socket;
        }
        if (node != null) {
            Path base = dataDir != null ? dataDir : DEFAULT_DEVNET_DIR;
            return base.resolve("node-" + node).resolve(AdminProtocol.SOCKET_FILE);
        }
        if (dataDir != null) {
            return dataDir.resolve(AdminProtocol.SOCKET_FILE);
        }
        String env = System.getenv("MOLIA_ADMIN_SOCKET");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        throw new CommandLine.ParameterException(new CommandLine(CommandSpec.create()),
                "name the node: --socket PATH, --data-dir DIR, or --node N (a devnet)");
    }
}
