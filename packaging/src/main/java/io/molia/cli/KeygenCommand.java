package io.molia.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.molia.contact.NodeId;
import io.molia.crypto.Ed25519Identity;
import io.molia.node.IdentityFile;
import io.molia.node.MoliaAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Create the node identity in a data dir (or show the existing one): public key and node ID.")
final class KeygenCommand implements Callable<Integer> {
    @Option(names = "--data-dir", required = true, description = "The node's data directory.")
    Path dataDir;

    @Option(names = "--json", description = "One JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Ed25519Identity identity = IdentityFile.loadOrCreate(dataDir);
        String key = MoliaAddress.encodeKey(identity.publicKey());
        String id = NodeId.ofPublicKey(identity.publicKey()).toHex();
        if (json) {
            System.out.printf("{\"public_key\":\"%s\",\"node_id\":\"%s\",\"file\":\"%s\"}%n", key, id,
                    dataDir.resolve(IdentityFile.FILE_NAME));
        } else {
            System.out.printf("public key  %s%nnode id     %s%nfile        %s%n", key, id,
                    dataDir.resolve(IdentityFile.FILE_NAME));
        }
        return 0;
    }
}
