package io.molia.node;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import io.molia.codec.ProtocolRange;
import io.molia.contact.ProofOfWork;
import io.molia.core.CoreConfig;
import io.molia.core.store.RecordsConfig;
import io.molia.relay.RelayBudget;
import io.molia.session.SessionManager;
import io.molia.transport.SocketBuffers;
import io.molia.wal.WalOptions;

/**
 * How to run one node.
 *
 * @param dataDir    identity key and the WAL ({@code wal/shard-N/}) live here
 * @param listen     UDP address to bind, IPv4 or IPv6 (the IPv6 wildcard {@code ::} takes IPv4 peers too); port 0
 *                   picks a free one
 * @param bootstrap  peers to join through
 * @param networkKey 32-byte WireGuard PSK: all zero on the public network, a shared secret on a private one
 * @param shards     sockets bound with SO_REUSEPORT, each with its own event loop and sessions (at most 16: the
 *                   shard is the low 4 bits of a session's receiver index)
 * @param metrics    where to serve Prometheus metrics, or null for none
 * @param wal        durability: sync policy and compaction ({@link WalOptions#defaults()} unless given)
 * @param buffers    each shard socket's kernel receive and send buffers ({@link SocketBuffers#defaults()} unless
 *                   given)
 * @param keyLog     debug only: append every session's keys here for Wireshark ({@link KeyLogFile}), or null (off)
 * @param protocol   the protocol range the node speaks ({@link ProtocolRange#THIS_RELEASE} unless a test's stand-in
 *                   for another release)
 * @param handshakeCpuBudget the share of a shard's thread initiations may cost before it asks for cookies
 *                   ({@link SessionManager#setHandshakeCpuBudget}); 0 turns the defence off
 * @param natAlternateAddress a second address of this host that peers' DIAL_BACK probes of the "other address" kind
 *                   are sent from (docs/nat.md), or null: such requests are then refused
 * @param records    provider and mutable record parameters ({@link RecordsConfig#defaults()} unless given)
 * @param powBits    the network's identity proof of work ({@link ProofOfWork}): leading zero bits every contact
 *                   and this node's own identity must show ({@link ProofOfWork#DEFAULT_BITS} unless given)
 * @param asnTable   an offline prefix → AS table (iptoasn.com's tab-separated format) for the per-AS rate limit of
 *                   initiations under load ({@link io.molia.session.AsnTable}), or null (no per-AS limit); also
 *                   the routing table's per-AS cap
 * @param relayBudgetPercent the share of this node's egress it may spend relaying for NATed peers (docs/nat.md;
 *                   {@link io.molia.relay.RelayBudget#DEFAULT_PERCENT} unless given); 0: it relays for nobody
 * @param scoreHalfLife how fast peers' behaviour scores decay ({@link io.molia.core.PeerScores}): each count halves
 *                   in this time ({@link #DEFAULT_SCORE_HALF_LIFE} unless given)
 * @param disjointPaths S/Kademlia d of record reads and writes ({@link CoreConfig#disjointPaths}; 1 = none)
 * @param blobStoreBytes the most bytes of blob fragments and manifests this node holds for others
 *                   ({@link #DEFAULT_BLOB_STORE_BYTES} unless given); past it, pushes are refused, nothing evicted
 */
public record NodeConfig(Path dataDir, InetSocketAddress listen, List<MoliaAddress> bootstrap, byte[] networkKey,
        int shards, InetSocketAddress metrics, WalOptions wal, SocketBuffers buffers, Path keyLog,
        ProtocolRange protocol, double handshakeCpuBudget, InetAddress natAlternateAddress, RecordsConfig records,
        int powBits, Path asnTable, int relayBudgetPercent, java.time.Duration scoreHalfLife, int disjointPaths,
        long blobStoreBytes) {

    /** One shard per available processor, at most {@link MoliaNode#MAX_SHARDS}: what {@code molia node} runs. */
    public static int defaultShards() {
        return Math.min(Runtime.getRuntime().availableProcessors(), MoliaNode.MAX_SHARDS);
    }

    /** A node with the defaults of what came later: no NAT alternate address, record parameters, proof of work, ASN table. */
    public NodeConfig(Path dataDir, InetSocketAddress listen, List<MoliaAddress> bootstrap, byte[] networkKey,
            int shards, InetSocketAddress metrics, WalOptions wal, SocketBuffers buffers, Path keyLog,
            ProtocolRange protocol, double handshakeCpuBudget) {
        this(dataDir, listen, bootstrap, networkKey, shards, metrics, wal, buffers, keyLog, protocol,
                handshakeCpuBudget, null, RecordsConfig.defaults(), ProofOfWork.DEFAULT_BITS, null,
                RelayBudget.DEFAULT_PERCENT, DEFAULT_SCORE_HALF_LIFE, CoreConfig.DEFAULT_DISJOINT_PATHS,
                DEFAULT_BLOB_STORE_BYTES);
    }

    /** A node with the default WAL options. */
    public NodeConfig(Path dataDir, InetSocketAddress listen, List<MoliaAddress> bootstrap, byte[] networkKey,
            int shards, InetSocketAddress metrics) {
        this(dataDir, listen, bootstrap, networkKey, shards, metrics, WalOptions.defaults());
    }

    /** A node with the default socket buffers and no key log. */
    public NodeConfig(Path dataDir, InetSocketAddress listen, List<MoliaAddress> bootstrap, byte[] networkKey,
            int shards, InetSocketAddress metrics, WalOptions wal) {
        this(dataDir, listen, bootstrap, networkKey, shards, metrics, wal, SocketBuffers.defaults());
    }

    /** A node without a key log. */
    public NodeConfig(Path dataDir, InetSocketAddress listen, List<MoliaAddress> bootstrap, byte[] networkKey,
            int shards, InetSocketAddress metrics, WalOptions wal, SocketBuffers buffers) {
        this(dataDir, listen, bootstrap, networkKey, shards, metrics, wal, buffers, null, ProtocolRange.THIS_RELEASE,
                SessionManager.DEFAULT_HANDSHAKE_CPU_BUDGET);
    }

    /** This configuration with the debug key log at {@code file} (null: off). */
    public NodeConfig withKeyLog(Path file) {
        return new NodeConfig(dataDir, listen, bootstrap, networkKey, shards, metrics, wal, buffers, file, protocol,
                handshakeCpuBudget, natAlternateAddress, records, powBits, asnTable,
                relayBudgetPercent, scoreHalfLife, disjointPaths, blobStoreBytes);
    }

    /** This configuration speaking {@code range}: a test's stand-in for another release. */
    public NodeConfig withProtocol(ProtocolRange range) {
        return new NodeConfig(dataDir, listen, bootstrap, networkKey, shards, metrics, wal, buffers, keyLog, range,
                handshakeCpuBudget, natAlternateAddress, records, powBits, asnTable,
                relayBudgetPercent, scoreHalfLife, disjointPaths, blobStoreBytes);
    }

    /** This configuration with another handshake CPU budget (0: no defence against handshake floods). */
    public NodeConfig withHandshakeCpuBudget(double shareOfThread) {
        return new NodeConfig(dataDir, listen, bootstrap, networkKey, shards, metrics, wal, buffers, keyLog, protocol,
                shareOfThread, natAlternateAddress, records, powBits, asnTable,
                relayBudgetPercent, scoreHalfLife, disjointPaths, blobStoreBytes);
    }

    /** This configuration sending "other address" NAT probes from {@code address} (null: refusing them). */
    public NodeConfig withNatAlternateAddress(InetAddress address) {
        return new NodeConfig(dataDir, listen, bootstrap, networkKey, shards, metrics, wal, buffers, keyLog, protocol,
                handshakeCpuBudget, address, records, powBits, asnTable,
                relayBudgetPercent, scoreHalfLife, disjointPaths, blobStoreBytes);
    }

    /** This configuration with other provider and mutable record parameters (TTLs, republish intervals, bounds). */
    public NodeConfig withRecords(RecordsConfig recordsConfig) {
        return new NodeConfig(dataDir, listen, bootstrap, networkKey, shards, metrics, wal, buffers, keyLog, protocol,
                handshakeCpuBudget, natAlternateAddress, recordsConfig, powBits, asnTable,
                relayBudgetPercent, scoreHalfLife, disjointPaths, blobStoreBytes);
    }

    /** This configuration on a network asking {@code bits} of identity proof of work (devnets and tests: few). */
    public NodeConfig withPowBits(int bits) {
        return new NodeConfig(dataDir, listen, bootstrap, networkKey, shards, metrics, wal, buffers, keyLog, protocol,
                handshakeCpuBudget, natAlternateAddress, records, bits, asnTable, relayBudgetPercent, scoreHalfLife, disjointPaths, blobStoreBytes);
    }

    /** This configuration with behaviour scores decaying by half every {@code halfLife}. */
    public NodeConfig withScoreHalfLife(java.time.Duration halfLife) {
        return new NodeConfig(dataDir, listen, bootstrap, networkKey, shards, metrics, wal, buffers, keyLog, protocol,
                handshakeCpuBudget, natAlternateAddress, records, powBits, asnTable, relayBudgetPercent, halfLife, disjointPaths, blobStoreBytes);
    }

    /** This configuration with the prefix → AS table at {@code file} (null: no per-AS rate limit). */
    public NodeConfig withAsnTable(Path file) {
        return new NodeConfig(dataDir, listen, bootstrap, networkKey, shards, metrics, wal, buffers, keyLog, protocol,
                handshakeCpuBudget, natAlternateAddress, records, powBits, file, relayBudgetPercent, scoreHalfLife, disjointPaths, blobStoreBytes);
    }

    /** This configuration with {@code d} disjoint paths for record reads and writes (1: one path, no defence). */
    public NodeConfig withDisjointPaths(int d) {
        return new NodeConfig(dataDir, listen, bootstrap, networkKey, shards, metrics, wal, buffers, keyLog, protocol,
                handshakeCpuBudget, natAlternateAddress, records, powBits, asnTable, relayBudgetPercent, scoreHalfLife,
                d, blobStoreBytes);
    }

    /** This configuration relaying within {@code percent} of its egress (0: relaying off). */
    public NodeConfig withRelayBudgetPercent(int percent) {
        return new NodeConfig(dataDir, listen, bootstrap, networkKey, shards, metrics, wal, buffers, keyLog, protocol,
                handshakeCpuBudget, natAlternateAddress, records, powBits, asnTable, percent, scoreHalfLife,
                disjointPaths, blobStoreBytes);
    }

    /** This configuration holding at most {@code bytes} of blob objects for others. */
    public NodeConfig withBlobStoreBytes(long bytes) {
        return new NodeConfig(dataDir, listen, bootstrap, networkKey, shards, metrics, wal, buffers, keyLog, protocol,
                handshakeCpuBudget, natAlternateAddress, records, powBits, asnTable, relayBudgetPercent, scoreHalfLife,
                disjointPaths, bytes);
    }

    /** Blob objects a node holds for others unless told: 1 GiB. */
    public static final long DEFAULT_BLOB_STORE_BYTES = 1L << 30;

    /** How fast behaviour scores decay unless told: {@link io.molia.core.PeerScores.Config#defaults()}'s. */
    public static final java.time.Duration DEFAULT_SCORE_HALF_LIFE = java.time.Duration.ofNanos(
            io.molia.core.PeerScores.Config.defaults().halfLifeNs());

    public NodeConfig {
        if (scoreHalfLife.isNegative() || scoreHalfLife.isZero()) {
            throw new IllegalArgumentException("--score-half-life must be positive");
        }
        if (networkKey.length != 32) {
            throw new IllegalArgumentException("the network key must be 32 bytes");
        }
        if (!(handshakeCpuBudget >= 0)) {
            throw new IllegalArgumentException("--handshake-cpu-budget must be at least 0");
        }
        if (powBits < 0 || powBits > ProofOfWork.MAX_BITS) {
            throw new IllegalArgumentException("--pow-bits must be between 0 and " + ProofOfWork.MAX_BITS);
        }
        if (relayBudgetPercent < 0 || relayBudgetPercent > 100) {
            throw new IllegalArgumentException("--relay-budget-percent must be between 0 and 100");
        }
        if (disjointPaths < 1 || disjointPaths > CoreConfig.defaults().k()) {
            throw new IllegalArgumentException("--disjoint-paths must be between 1 and " + CoreConfig.defaults().k()
                    + " (k)");
        }
        if (blobStoreBytes < 0) {
            throw new IllegalArgumentException("--blob-store-bytes must be at least 0");
        }
        if (shards < 1 || shards > MoliaNode.MAX_SHARDS) {
            throw new IllegalArgumentException("--shards must be between 1 and " + MoliaNode.MAX_SHARDS);
        }
        bootstrap = List.copyOf(bootstrap);
        if (wal == null) {
            wal = WalOptions.defaults();
        }
        if (buffers == null) {
            buffers = SocketBuffers.defaults();
        }
        if (protocol == null) {
            protocol = ProtocolRange.THIS_RELEASE;
        }
        if (records == null) {
            records = RecordsConfig.defaults();
        }
    }
}
