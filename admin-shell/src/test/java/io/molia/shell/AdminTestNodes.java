package io.molia.shell;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.molia.admin.AdminServer;
import io.molia.node.MoliaAddress;
import io.molia.node.MoliaNode;
import io.molia.node.NodeConfig;
import picocli.CommandLine;

/**
 * Real nodes in this JVM (UDP on loopback), each with its admin socket in its data directory under one directory,
 * and {@code molia admin} run against them in process, as a user would type it.
 */
final class AdminTestNodes implements AutoCloseable {
    /** What one admin command printed and returned. */
    record Run(int exit, String out, String err) {
    }

    private final Path dir;
    private final List<AutoCloseable> running = new ArrayList<>();

    AdminTestNodes(Path dir) {
        this.dir = dir;
    }

    /** A node in {@code dir/name} joined through {@code seeds}, serving its admin socket there. */
    MoliaNode start(String name, List<MoliaAddress> seeds) throws Exception {
        MoliaNode n = MoliaNode.start(new NodeConfig(dir.resolve(name),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), seeds, new byte[32], 1, null)
                .withPowBits(4));
        running.add(n);
        running.add(AdminServer.start(n, AdminServer.Options.defaults(dir.resolve(name), null, null)));
        return n;
    }

    /** {@code molia admin --data-dir DATA_DIR ARGS...}. */
    static Run admin(Path dataDir, String... args) {
        CommandLine cli = new CommandLine(new AdminCommands());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> a = new ArrayList<>(List.of("--data-dir", dataDir.toString()));
        a.addAll(List.of(args));
        return new Run(cli.execute(a.toArray(String[]::new)), out.toString(), err.toString());
    }

    /** Stops the admin servers and nodes, the last started first. */
    @Override
    public void close() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }
}
