package io.molia.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.molia.admin.AdminServer;
import io.molia.codec.ProtocolRange;
import io.molia.contact.ProofOfWork;
import io.molia.core.CoreConfig;
import io.molia.core.store.RecordsConfig;
import io.molia.node.MoliaAddress;
import io.molia.node.MoliaNode;
import io.molia.node.NodeConfig;
import io.molia.node.Redaction;
import io.molia.options.DoubleRange;
import io.molia.options.DurationConverter;
import io.molia.options.HostPortConverter;
import io.molia.options.IntRange;
import io.molia.options.LongRange;
import io.molia.options.MoliaAddressConverter;
import io.molia.wal.WalOptions;
import io.molia.wal.WalSync;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code molia node}: runs one node until SIGTERM or SIGINT. */
@Command(name = "node", mixinStandardHelpOptions = true, description = "Run a Molia node.",
        defaultValueProvider = ConfigFileDefaults.class)
final class NodeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigFileOptions configFile;

    @Option(names = "--data-dir", required = true, description = "Identity key (created on first start) and state.")
    Path dataDir;

    @Option(names = "--listen", defaultValue = "0.0.0.0:4000", converter = HostPortConverter.class,
            description = "UDP address to bind, host:port or [ipv6]:port; [::]:port serves IPv4 and IPv6 peers "
                    + "(default ${DEFAULT-VALUE}; port 0 picks one).")
    InetSocketAddress listen;

    @Option(names = "--bootstrap", split = ",", converter = MoliaAddressConverter.class,
            description = "Peers to join through: molia://<key>@host:port")
    List<MoliaAddress> bootstrap = new ArrayList<>();

    // A String checked by its converter, not a byte[]: picocli takes an array option for a list of values.
    @Option(names = "--network-key", converter = NetworkKey.class,
            description = "64 hex digits: a private network's shared key (default: public).")
    String networkKey;

    @Option(names = "--shards", converter = ShardCount.class,
            description = "Shards: one event loop and SO_REUSEPORT socket each, sessions spread "
            + "over them (default: one per available processor, at most " + MoliaNode.MAX_SHARDS + ").")
    Integer shards;

    @Option(names = "--metrics", converter = HostPortConverter.LocalByDefault.class,
            description = "Serve Prometheus metrics at [host:]port (host defaults to "
            + "127.0.0.1; off unless given).")
    InetSocketAddress metrics;

    @Option(names = "--log-format", defaultValue = "text", converter = LogSetup.FormatConverter.class,
            description = "text or json: one JSON object per line on stderr (default ${DEFAULT-VALUE}).")
    String logFormat;

    @Option(names = "--log-unsafe", description = "Log addresses and keys whole. By default a log line hides the "
            + "last byte of IPv4 addresses, the last 64 bits of IPv6 ones and all but 8 hex digits of keys, as the "
            + "admin shell does (logs travel further than the host).")
    boolean logUnsafe;

    @Option(names = "--ready-json", description = "Print one JSON line with node ID and address once serving.")
    boolean readyJson;

    @Option(names = "--no-admin-socket", description = "Do not serve <data-dir>/admin.sock (molia shell/admin).")
    boolean noAdminSocket;

    @Option(names = "--admin-tcp", converter = HostPortConverter.LocalByDefault.class,
            description = "Also serve the admin API on TCP at [host:]port (host defaults to "
            + "127.0.0.1); needs --admin-token-file. Off unless given.")
    InetSocketAddress adminTcp;

    @Option(names = "--admin-token-file", description = "The token TCP admin clients must present (16+ bytes; "
            + "a file only its owner can read).")
    Path adminTokenFile;

    @Option(names = "--wal-sync", defaultValue = "none", converter = WalSyncConverter.class,
            description = "When WAL entries reach the disk: none (page "
            + "cache: survives a process kill), batch (one sync per event-loop turn, before its acks: survives power "
            + "loss), always (one sync per write). Default ${DEFAULT-VALUE}; see docs/wal-format.md.")
    WalSync walSync;

    @Option(names = "--wal-compact-every", defaultValue = "10m", converter = DurationConverter.class,
            description = "Compact the WAL this often (e.g. 90s, 10m, 1h; 0 = never). Default ${DEFAULT-VALUE}.")
    java.time.Duration walCompactEvery;

    @Option(names = "--wal-compact-min-entries", defaultValue = "100000", converter = LongRange.NonNegative.class,
            description = "Skip a timed compaction until this many entries were appended. Default ${DEFAULT-VALUE}.")
    long walCompactMinEntries;

    @Option(names = "--wg-keylog", paramLabel = "FILE", description = "Debug only: append every session's keys to "
            + "FILE (created 0600) in the format of Wireshark's WireGuard key log, for `tshark -o wg.keylog_file:FILE` "
            + "and `molia wire decode`. Whoever reads FILE decrypts this node's traffic. Off unless given.")
    Path wgKeyLog;

    @Option(names = "--handshake-cpu-budget", defaultValue = "0.2", converter = DoubleRange.NonNegative.class,
            description = "The share of a shard's thread handshakes may cost before the shard asks initiators for "
            + "WireGuard cookies and limits each source address (measured, see docs/wire-sessions.md); 0 turns "
            + "this defence against handshake floods off. Default ${DEFAULT-VALUE}.")
    double handshakeCpuBudget;

    @Option(names = "--nat-alternate-address", paramLabel = "IP", description = "A second address of this host "
            + "(not the one --listen binds): peers behind NATs may ask this node to send their 'other address' "
            + "dial-back probes from it, which tells a full-cone NAT from an address-restricted one (docs/nat.md). "
            + "Off unless given: such requests are refused.")
    java.net.InetAddress natAlternateAddress;

    /** A share of egress, in percent. */
    static final class Percent extends IntRange {
        Percent() {
            super(0, 100);
        }
    }

    @Option(names = "--relay-budget-percent", defaultValue = "10", converter = Percent.class, description = "The "
            + "share of this node's egress bytes (over a sliding minute) it may spend relaying ciphertext for peers "
            + "behind NATs that hold a reservation here, besides per-client caps (docs/nat.md); 0 relays for nobody. "
            + "Default ${DEFAULT-VALUE}.")
    int relayBudgetPercent;

    @Option(names = "--pow-bits", defaultValue = "" + ProofOfWork.DEFAULT_BITS, converter = PowBits.class,
            description = "The network's identity proof of work: BLAKE3(node ID || nonce) must start with this many "
            + "zero bits, for this node's identity (`molia keygen --pow-bits` finds the nonce; a new identity is "
            + "searched at first start) and for every contact it learns. Every node of a network uses the same. "
            + "Default ${DEFAULT-VALUE}.")
    int powBits;

    @Option(names = "--asn-table", paramLabel = "FILE", description = "An offline prefix to AS table (iptoasn.com's "
            + "tab-separated ip2asn-v4.tsv, ip2asn-v6.tsv or ip2asn-combined.tsv: range_start, range_end, AS_number) "
            + "for the per-AS rate limit of initiations under load. Without it only the per-address and per-/24 "
            + "(/48) limits apply. See docs/wire-sessions.md.")
    Path asnTable;

    @Option(names = "--score-half-life", defaultValue = "30m", converter = DurationConverter.class,
            description = "How fast peers' behaviour scores decay (timeouts, bad referrals, invalid proofs against a "
            + "peer; answers for it): each count halves in this time (e.g. 10m, 30m, 2h). A peer at -6 or below is "
            + "evicted, refused and never handed out until decay lifts it; an answer forgives its timeouts (it was "
            + "away, not misbehaving). Default ${DEFAULT-VALUE}.")
    java.time.Duration scoreHalfLife;

    @Option(names = "--disjoint-paths", defaultValue = "" + CoreConfig.DEFAULT_DISJOINT_PATHS,
            converter = DisjointPaths.class, description = "S/Kademlia d: record reads and writes (values, mutable "
            + "records, providers) look up the key over this many paths that share no peer, so Sybils around a key "
            + "must own every path to hide or swallow a record; 1 turns the defence off. 1 to 20 (k); each path asks "
            + "one peer at a time beyond 4; plain lookups always take one path. Default ${DEFAULT-VALUE}.")
    int disjointPaths;

    @Option(names = "--blob-store-bytes", defaultValue = "" + NodeConfig.DEFAULT_BLOB_STORE_BYTES,
            converter = LongRange.NonNegative.class, description = "The most bytes of blob fragments and manifests "
            + "this node holds for others (docs/blobs.md); past it a push is refused and counted, nothing is evicted. "
            + "0: hold none. Default ${DEFAULT-VALUE} (1 GiB).")
    long blobStoreBytes;

    @Mixin
    SocketBufferOptions buffers;

    @Mixin
    RecordOptions recordOptions;

    // Hidden: a node standing in for a later release, for the rolling-upgrade test (RollingUpgradeIT).
    @Option(names = "--protocol-version", hidden = true, converter = IntRange.Positive.class,
            description = "Test only: write this protocol version and a feature bit no release knows.")
    Integer protocolVersion;

    @Option(names = "--protocol-min-version", hidden = true, converter = IntRange.Positive.class,
            description = "Test only: the lowest protocol version spoken (default 1) with --protocol-version.")
    Integer protocolMinVersion;

    /** The record parameters the flags give; a republish interval not below the TTL is a usage error. */
    RecordsConfig recordsConfig() {
        return recordOptions.recordsConfig(spec.commandLine());
    }

    @Override
    public Integer call() throws Exception {
        if (configFile.printedIfAsked()) {
            return 0;
        }
        RecordsConfig records = recordsConfig();
        ProtocolRange protocol = ProtocolRange.THIS_RELEASE;
        if (protocolVersion != null || protocolMinVersion != null) {
            if (protocolVersion == null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--protocol-min-version needs --protocol-version");
            }
            protocol = ProtocolRange.nextForTests(protocolMinVersion == null ? 1 : protocolMinVersion,
                    protocolVersion);
        }
        LogSetup.configure(logFormat, ch.qos.logback.classic.Level.INFO, logUnsafe);
        NodeConfig config = new NodeConfig(dataDir, listen, bootstrap,
                networkKey == null ? new byte[32] : HexFormat.of().parseHex(networkKey),
                shards != null ? shards : NodeConfig.defaultShards(), metrics,
                WalOptions.defaults().withSync(walSync).withCompaction(walCompactEvery, walCompactMinEntries),
                buffers.buffers())
                .withKeyLog(wgKeyLog).withProtocol(protocol)
                .withHandshakeCpuBudget(handshakeCpuBudget).withNatAlternateAddress(natAlternateAddress)
                .withRecords(records).withPowBits(powBits)
                .withAsnTable(asnTable).withRelayBudgetPercent(relayBudgetPercent).withScoreHalfLife(scoreHalfLife)
                .withDisjointPaths(disjointPaths).withBlobStoreBytes(blobStoreBytes);
        warnIfKeyLog("node", wgKeyLog);
        // Checked before the node starts: a bad flag must not bind a port or touch the data dir.
        AdminServer.Options adminOptions = noAdminSocket ? null : adminOptions();
        MoliaNode node = MoliaNode.start(config);
        // The admin socket's shutdown request exits like SIGTERM does: through the shutdown hook below.
        AdminServer admin = noAdminSocket ? null : AdminServer.start(node, adminOptions);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (admin != null) {
                admin.close();
            }
            node.close();
            stopped.countDown();
        }, "molia-shutdown"));
        // SIGTERM and SIGINT stop through System.exit(0), as the admin socket's shutdown does: the hook above drains
        // and the process exits 0, so systemd and scripts see a clean stop (the JVM's own answer would be 143).
        for (String signal : List.of("TERM", "INT")) {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> System.exit(0));
        }
        MoliaAddress address = node.address();
        // Under systemd stdout is the journal: there these lines are log lines, and hidden as log lines are.
        boolean hide = !logUnsafe && JournalStream.isStdout(System.getenv("JOURNAL_STREAM"));
        StringBuilder lines = new StringBuilder().append(address).append('\n');
        if (readyJson) {
            lines.append(String.format("{\"node_id\":\"%s\",\"address\":\"%s\",\"port\":%d}%n",
                    node.self().id().toHex(), address, address.port()));
        }
        System.out.print(hide ? Redaction.text(lines.toString()) : lines);
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
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--admin-tcp and --admin-token-file go together");
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
        return options.withTcp(adminTcp, token);
    }

    /** The one-line warning on stderr that a key log is on (the node also logs it). */
    static void warnIfKeyLog(String command, Path file) {
        if (file != null) {
            System.err.println("molia " + command + ": WARNING: --wg-keylog " + file + ": every session key is "
                    + "written there; whoever reads it decrypts this node's traffic (debug only)");
        }
    }

    /** 1..{@link MoliaNode#MAX_SHARDS} shards. */
    static final class ShardCount extends IntRange {
        ShardCount() {
            super(1, MoliaNode.MAX_SHARDS);
        }
    }

    /** A private network's key: 64 hex digits. */
    static final class NetworkKey implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String hex) {
            try {
                if (HexFormat.of().parseHex(hex).length == 32) {
                    return hex;
                }
            } catch (IllegalArgumentException e) {
                // falls through to the one-line error
            }
            throw new CommandLine.TypeConversionException("expected 64 hex digits");
        }
    }

    /** none, batch or always. */
    static final class WalSyncConverter implements CommandLine.ITypeConverter<WalSync> {
        @Override
        public WalSync convert(String text) {
            try {
                return WalSync.parse(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --disjoint-paths}: 1 (one path) to k. */
    static final class DisjointPaths extends IntRange {
        DisjointPaths() {
            super(1, CoreConfig.defaults().k());
        }
    }

    /** {@code --pow-bits}: 0 (no proof) to 64. */
    static final class PowBits extends IntRange {
        PowBits() {
            super(0, ProofOfWork.MAX_BITS);
        }
    }
}
