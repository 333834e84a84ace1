package io.molia.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The Prometheus endpoint's own listener: a port in use is one line naming it, as the node's UDP port is. */
class NodeMetricsTest {
    private static final NodeMetrics.NodeSource IDLE_NODE = new NodeMetrics.NodeSource() {
        @Override
        public boolean isolated() {
            return false;
        }

        @Override
        public long banDroppedDatagrams() {
            return 0;
        }

        @Override
        public long operatorLoopNs() {
            return 0;
        }

        @Override
        public long egressBytes() {
            return 0;
        }
    };

    @Test
    void aMetricsPortInUseIsOneLineNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                NodeMetrics metrics = new NodeMetrics(List::of, IDLE_NODE)) {
            int port = taken.getLocalPort();
            IOException e = assertThrows(IOException.class,
                    () -> metrics.serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
            assertEquals("--metrics: TCP port " + port + " on 127.0.0.1 is in use", e.getMessage());
        }
    }
}
