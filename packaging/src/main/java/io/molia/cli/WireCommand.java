package io.molia.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.molia.wire.DecodedDatagram;
import io.molia.wire.KeyLog;
import io.molia.wire.PcapReader;
import io.molia.wire.UdpDatagram;
import io.molia.wire.WireDecoder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code molia wire}: tools over captured traffic. The work is in {@code io.molia.wire}. */
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

        @Option(names = "--port", split = ",", paramLabel = "PORT", description = "Only datagrams from or to these UDP ports "
                + "(4000,4001 or repeated).")
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
            WireDecoder decoder = new WireDecoder(keys);
            PrintStream out = System.out;
            int datagrams = 0;
            int decrypted = 0;
            int notUdp = 0;
            Integer unsupportedLink = null;
            for (PcapReader.Frame frame : frames.frames()) {
                UdpDatagram d = UdpDatagram.of(frame);
                if (d == null) {
                    notUdp++;
                    if (!UdpDatagram.supports(frame.linkType())) {
                        unsupportedLink = frame.linkType();
                    }
                    continue;
                }
                if (!ports.isEmpty() && !ports.contains(d.source().getPort())
                        && !ports.contains(d.destination().getPort())) {
                    continue;
                }
                DecodedDatagram decoded = decoder.decode(d);
                datagrams++;
                decrypted += decoded.decrypted() ? 1 : 0;
                out.println(json ? decoded.json().toString() : decoded.line());
            }
            if (datagrams == 0 && unsupportedLink != null) {
                throw new IOException(capture + ": link type " + unsupportedLink + " is not one molia wire decode "
                        + "reads (Ethernet, Linux cooked SLL/SLL2, raw IP, BSD loopback)");
            }
            String summary = datagrams + " datagrams, " + decrypted + " decrypted" + (notUdp > 0 ? ", " + notUdp
                    + " frames without a UDP datagram skipped" : "") + (frames.truncated()
                    ? "; the capture ends in a cut-off record" : "") + (keyLogs.isEmpty()
                    ? "; no --keylog given: nothing can be decrypted" : "");
            (json ? System.err : out).println(summary);
            return 0;
        }
    }
}
