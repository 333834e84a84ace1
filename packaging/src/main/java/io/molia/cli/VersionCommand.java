package io.molia.cli;

import io.molia.node.MoliaVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the release, the commit it was built from and the protocol version.")
final class VersionCommand implements Runnable {
    @Option(names = "--json", description = "One JSON object instead of text.")
    boolean json;

    @Override
    public void run() {
        if (json) {
            System.out.printf("{\"release\":\"%s\",\"commit\":\"%s\",\"protocol\":%d,\"java\":\"%s\"}%n",
                    MoliaVersion.release(), MoliaVersion.commit(), MoliaVersion.protocol(), Runtime.version());
        } else {
            System.out.printf("molia %s (commit %s, protocol %d) on Java %s%n",
                    MoliaVersion.release(), MoliaVersion.commit(), MoliaVersion.protocol(), Runtime.version());
        }
    }
}
