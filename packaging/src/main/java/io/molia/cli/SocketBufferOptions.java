package io.molia.cli;

import java.util.List;
import java.util.Locale;

import io.molia.transport.SocketBuffers;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The shard sockets' kernel buffer sizes ({@code molia node}, {@code molia devnet}), passed on to a devnet's node
 * processes as the same flags. A picocli mixin.
 */
final class SocketBufferOptions {
    @Option(names = "--recv-buffer", defaultValue = "4m", converter = ByteSize.class, description = "Each shard socket's kernel receive buffer: "
            + "bytes, or with k/m (KiB/MiB); 0 keeps the kernel's default. Linux caps it at net.core.rmem_max "
            + "unless the node has CAP_NET_ADMIN; `molia admin info` shows what was granted. Default ${DEFAULT-VALUE}.")
    String receive;

    @Option(names = "--send-buffer", defaultValue = "1m", converter = ByteSize.class,
            description = "Each shard socket's kernel send buffer, as --recv-buffer (cap: net.core.wmem_max). "
                    + "Default ${DEFAULT-VALUE}.")
    String send;

    SocketBuffers buffers() {
        return new SocketBuffers(parseBytes(receive, "--recv-buffer"), parseBytes(send, "--send-buffer"));
    }

    /** The same options for a child {@code molia node}. */
    List<String> asFlags() {
        return List.of("--recv-buffer", receive, "--send-buffer", send);
    }

    /** {@code 65536}, {@code 512k} or {@code 4m}: bytes as an int; a one-line reason naming the option otherwise. */
    static int parseBytes(String text, String option) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        long unit = t.endsWith("k") ? 1L << 10 : t.endsWith("m") ? 1L << 20 : 1;
        try {
            long n = Long.parseLong(unit == 1 ? t : t.substring(0, t.length() - 1)) * unit;
            if (n >= 0 && n <= Integer.MAX_VALUE) {
                return (int) n;
            }
        } catch (NumberFormatException e) {
            // the one-line error below
        }
        throw new IllegalArgumentException(option + ": " + expected(text));
    }

    private static String expected(String text) {
        return "expected bytes like 65536, 512k or 4m, got '" + text + "'";
    }

    /** Checks a size while picocli parses, so a bad one is a usage error naming the flag; keeps the text. */
    static final class ByteSize implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String text) {
            try {
                parseBytes(text, "");
                return text;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(expected(text));
            }
        }
    }
}
