package io.molia.node;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * How to run one node.
 *
 * @param dataDir    identity key and (later) WAL live here
 * @param listen     UDP address to bind; port 0 picks a free one
 * @param bootstrap  peers to join through
 * @param networkKey 32-byte WireGuard PSK: all zero on the public network, a shared secret on a private one
 * @param shards     sockets bound with SO_REUSEPORT; datagrams are handed to shard 0, which runs the protocol
 * @param metrics    where to serve Prometheus metrics, or null for none
 */
public record NodeConfig(Path dataDir, InetSocketAddress listen, List<MoliaAddress> bootstrap, byte[] networkKey,
        int shards, InetSocketAddress metrics) {

    public NodeConfig {
        if (networkKey.length != 32) {
            throw new IllegalArgumentException("the network key must be 32 bytes");
        }
        if (shards < 1) {
            throw new IllegalArgumentException("--shards must be at least 1");
        }
        bootstrap = List.copyOf(bootstrap);
    }
}
