package io.molia.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import io.molia.wire.CaptureDecode;
import io.molia.wire.KeyLog;
import io.molia.wire.PcapReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code molia wire}: tools over captured traffic. Subcommands parse and print; {@code io.molia.wire} works. */
@Command(name = "wire", mixinStandardHelpOptions = true, description = "Read captures of Molia traffic.",
        subcommands = WireCommand.Decode.class)
final class WireCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = "Print each UDP datagram of a capture (pcap or pcapng: tcpdump -i lo -w FILE): its time, "
                    + "addresses, WireGuard or Molia message type, indices and session, and, with the keys of "
                    + "`molia node --wg-keylog`, the decrypted inner message; what it cannot decrypt says why.")
    static final class Decode implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "CAPTURE", description = "A pcap or pcapng file.")
        Path capture;

        @Option(names = "--keylog", paramLabel = "FILE", description = "A key log written by `molia node "
                + "--wg-keylog` (repeat for the logs of several nodes).")
        List<Path> keyLogs = new ArrayList<>();

        @Option(names = "--port", split = ",", paramLabel = "PORT",
                description = "Only datagrams from or to these UDP ports (4000,4001 or repeated).")
        List<Integer> ports = new ArrayList<>();

        @Option(names = "--json", description = "One JSON object per datagram.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            for (int port : ports) {
                if (port < 1 || port > 65_535) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--port must be in 1..65535, got "
                            + port);
                }
            }
            KeyLog keys = KeyLog.read(keyLogs);
            PcapReader.Capture frames = PcapReader.read(capture);
            CaptureDecode.Summary summary;
            try {
                summary = CaptureDecode.run(frames, keys, Set.copyOf(ports),
                        d -> System.out.println(json ? d.json().toString() : d.line()));
            } catch (IOException e) {
                throw new IOException(capture + ": " + e.getMessage(), e);
            }
            (json ? System.err : System.out).println(summary.line(!keyLogs.isEmpty()));
            return 0;
        }
    }
}
