package io.molia.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What Linux says about this network namespace's UDP sockets ({@code /proc/net/udp} and {@code /proc/net/udp6}):
 * each socket's local port, inode and {@code drops} (datagrams the kernel discarded, mostly because the receive
 * buffer was full). A socket is found by its inode, the one its descriptor links to in {@code /proc/self/fd}.
 * Without {@code /proc} (not Linux) every answer is empty and a socket's drops are unknown (-1).
 */
final class KernelUdpTable {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));
    private static final Path OWN_FDS = Path.of("/proc/self/fd");

    /** One row: {@code local_address} is {@code ADDR:PORT} in hex; {@code inode} and {@code drops} in decimal. */
    record Row(int localPort, long inode, long drops) {
    }

    private KernelUdpTable() {
    }

    /** Every UDP socket of the namespace, IPv4 and IPv6. */
    static List<Row> rows() {
        List<Row> out = new java.util.ArrayList<>();
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException e) {
                continue; // no /proc, or no IPv6 in this kernel
            }
            for (int i = 1; i < lines.size(); i++) { // line 0 is the header
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length < 13) {
                    continue;
                }
                String local = f[1];
                try {
                    out.add(new Row(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16),
                            Long.parseLong(f[9]), Long.parseLong(f[12])));
                } catch (NumberFormatException e) {
                    // a layout this parser does not know: that socket is not reported
                }
            }
        }
        return out;
    }

    /** The inodes of the sockets this process holds open. */
    static Set<Long> ownSocketInodes() {
        Set<Long> out = new HashSet<>();
        try (Stream<Path> fds = Files.list(OWN_FDS)) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        out.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException | NumberFormatException e) {
                    // closed meanwhile, or not a socket
                }
            }
        } catch (IOException e) {
            // no /proc: nothing is known
        }
        return out;
    }

    /**
     * The inode of the socket this process bound last on {@code port}: the one of its own sockets on that port
     * that is not in {@code known}; -1 when there is not exactly one.
     */
    static long newOwnSocket(int port, Set<Long> known) {
        Set<Long> own = ownSocketInodes();
        long found = -1;
        for (Row row : rows()) {
            if (row.localPort() == port && own.contains(row.inode()) && !known.contains(row.inode())) {
                if (found >= 0) {
                    return -1;
                }
                found = row.inode();
            }
        }
        return found;
    }

    /** The kernel's drop count of each socket in {@code inodes}, in order; -1 where the socket is not listed. */
    static long[] drops(long[] inodes) {
        Map<Long, Long> byInode = new HashMap<>();
        for (Row row : rows()) {
            byInode.put(row.inode(), row.drops());
        }
        long[] out = new long[inodes.length];
        for (int i = 0; i < inodes.length; i++) {
            out[i] = inodes[i] < 0 ? -1 : byInode.getOrDefault(inodes[i], -1L);
        }
        return out;
    }
}
