package io.molia.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.molia.admin.AdminServer;
import io.molia.node.MoliaAddress;
import io.molia.node.MoliaNode;
import io.molia.node.NodeConfig;
import io.molia.node.SocketAddresses;
import io.molia.wal.WalOptions;
import io.molia.wal.WalSync;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code molia node}: runs one node until SIGTERM or SIGINT. */
@Command(name = "node", mixinStandardHelpOptions = true, description = "Run a Molia node.")
final class NodeCommand implements Callable<Integer> {
    @Option(names = "--data-dir", required = true, description = "Identity key (created on first start) and state.")
    Path dataDir;

    @Option(names = "--listen", defaultValue = "0.0.0.0:4000",
            description = "UDP address to bind, host:port or [ipv6]:port; [::]:port serves IPv4 and IPv6 peers "
                    + "(default ${DEFAULT-VALUE}; port 0 picks one).")
    String listen;

    @Option(names = "--bootstrap", split = ",", description = "Peers to join through: molia://<key>@host:port")
    List<String> bootstrap = new ArrayList<>();

    @Option(names = "--network-key", description = "64 hex digits: a private network's shared key (default: public).")
    String networkKey;

    @Option(names = "--shards", description = "Shards: one event loop and SO_REUSEPORT socket each, sessions spread "
            + "over them (default: one per available processor, at most " + MoliaNode.MAX_SHARDS + ").")
    Integer shards;

    @Option(names = "--metrics", description = "Serve Prometheus metrics at [host:]port (host defaults to "
            + "127.0.0.1; off unless given).")
    String metrics;

    @Option(names = "--log-format", defaultValue = "text",
            description = "text or json: one JSON object per line on stderr (default ${DEFAULT-VALUE}).")
    String logFormat;

    @Option(names = "--ready-json", description = "Print one JSON line with node ID and address once serving.")
    boolean readyJson;

    @Option(names = "--no-admin-socket", description = "Do not serve <data-dir>/admin.sock (molia shell/admin).")
    boolean noAdminSocket;

    @Option(names = "--admin-tcp", description = "Also serve the admin API on TCP at [host:]port (host defaults to "
            + "127.0.0.1); needs --admin-token-file. Off unless given.")
    String adminTcp;

    @Option(names = "--admin-token-file", description = "The token TCP admin clients must present (16+ bytes; "
            + "a file only its owner can read).")
    Path adminTokenFile;

    @Option(names = "--wal-sync", defaultValue = "none", description = "When WAL entries reach the disk: none (page "
            + "cache: survives a process kill), batch (one sync per event-loop turn, before its acks: survives power "
            + "loss), always (one sync per write). Default ${DEFAULT-VALUE}; see docs/wal-format.md.")
    String walSync;

    @Option(names = "--wal-compact-every", defaultValue = "10m",
            description = "Compact the WAL this often (e.g. 90s, 10m, 1h; 0 = never). Default ${DEFAULT-VALUE}.")
    String walCompactEvery;

    @Option(names = "--wal-compact-min-entries", defaultValue = "100000",
            description = "Skip a timed compaction until this many entries were appended. Default ${DEFAULT-VALUE}.")
    long walCompactMinEntries;

    @Mixin
    SocketBufferOptions buffers;

    @Override
    public Integer call() throws Exception {
        LogSetup.configure(logFormat, ch.qos.logback.classic.Level.INFO);
        NodeConfig config = new NodeConfig(dataDir, parseListen(listen), parseBootstrap(bootstrap),
                parseNetworkKey(networkKey), shards != null ? shards : NodeConfig.defaultShards(), metrics == null ? null : parseMetrics(metrics),
                WalOptions.defaults().withSync(WalSync.parse(walSync))
                        .withCompaction(parseDuration(walCompactEvery, "--wal-compact-every"), walCompactMinEntries),
                buffers.buffers());
        MoliaNode node = MoliaNode.start(config);
        // The admin socket's shutdown request exits like SIGTERM does: through the shutdown hook below.
        AdminServer admin = noAdminSocket ? null : AdminServer.start(node, adminOptions());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (admin != null) {
                admin.close();
            }
            node.close();
            stopped.countDown();
        }, "molia-shutdown"));
        MoliaAddress address = node.address();
        System.out.println(address);
        if (readyJson) {
            System.out.printf("{\"node_id\":\"%s\",\"address\":\"%s\",\"port\":%d}%n", node.self().id().toHex(),
                    address, address.port());
        }
        System.out.flush();
        stopped.await();
        return 0;
    }

    private AdminServer.Options adminOptions() throws java.io.IOException {
        AdminServer.Options options = AdminServer.Options.defaults(dataDir, LogbackControl.install(),
                () -> System.exit(0));
        if (adminTcp == null && adminTokenFile == null) {
            return options;
        }
        if (adminTcp == null || adminTokenFile == null) {
            throw new IllegalArgumentException("--admin-tcp and --admin-token-file go together");
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> mode =
                java.nio.file.Files.getPosixFilePermissions(adminTokenFile);
        if (mode.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
            throw new IllegalArgumentException("--admin-token-file: " + adminTokenFile + " is readable by others (mode "
                    + java.nio.file.attribute.PosixFilePermissions.toString(mode) + "); chmod 600 it");
        }
        byte[] token = java.nio.file.Files.readString(adminTokenFile).strip()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (token.length < 16) {
            throw new IllegalArgumentException("--admin-token-file: the token must be at least 16 bytes");
        }
        return options.withTcp(parseMetrics(adminTcp), token);
    }

    /**
     * {@code host:port} to bind: an IPv4 address or name, or a bracketed IPv6 address ({@code [::1]:4000}, or
     * {@code [::]:4000} for IPv4 and IPv6 peers on one socket). Throws with a one-line reason naming the flag.
     */
    static InetSocketAddress parseListen(String text) {
        return parseHostPort(text, "--listen");
    }

    private static InetSocketAddress parseHostPort(String text, String option) {
        try {
            SocketAddresses.HostPort hostPort = SocketAddresses.split(text);
            if (hostPort.port() > 65_535) {
                throw new IllegalArgumentException("port must be in 0..65535, got '" + text + "'");
            }
            return text.startsWith("[")
                    ? new InetSocketAddress(SocketAddresses.literal(hostPort.host()), hostPort.port())
                    : new InetSocketAddress(hostPort.host(), hostPort.port());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    static java.time.Duration parseDuration(String text, String option) {
        String t = text.strip().toLowerCase();
        try {
            if (t.equals("0")) {
                return java.time.Duration.ZERO;
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            switch (t.charAt(t.length() - 1)) {
                case 's' -> {
                    return java.time.Duration.ofSeconds(n);
                }
                case 'm' -> {
                    return java.time.Duration.ofMinutes(n);
                }
                case 'h' -> {
                    return java.time.Duration.ofHours(n);
                }
                default -> {
                    // falls through to the one-line error
                }
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            // falls through to the one-line error
        }
        throw new IllegalArgumentException(option + ": expected a duration like 90s, 10m or 1h, got '" + text + "'");
    }

    static InetSocketAddress parseMetrics(String text) {
        String withHost = text.contains(":") ? text : "127.0.0.1:" + text;
        try {
            return parseHostPort(withHost, "--metrics");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--metrics: expected [host:]port, got '" + text + "'", e);
        }
    }

    static List<MoliaAddress> parseBootstrap(List<String> texts) {
        List<MoliaAddress> out = new ArrayList<>();
        for (String t : texts) {
            try {
                out.add(MoliaAddress.parse(t.strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--bootstrap: " + e.getMessage(), e);
            }
        }
        return out;
    }

    static byte[] parseNetworkKey(String hex) {
        if (hex == null) {
            return new byte[32];
        }
        try {
            byte[] key = HexFormat.of().parseHex(hex);
            if (key.length == 32) {
                return key;
            }
        } catch (IllegalArgumentException e) {
            // fall through to the one-line error
        }
        throw new IllegalArgumentException("--network-key: expected 64 hex digits");
    }
}
