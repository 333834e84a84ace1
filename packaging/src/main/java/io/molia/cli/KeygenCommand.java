package io.molia.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import io.molia.contact.NodeId;
import io.molia.contact.ProofOfWork;
import io.molia.crypto.Ed25519Identity;
import io.molia.node.IdentityFile;
import io.molia.node.IdentityProof;
import io.molia.node.MoliaAddress;
import io.molia.node.PowSearch;
import io.molia.options.IntRange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Create the node identity in a data dir (or show the existing one): public key, node ID and "
                + "the proof of work the network asks for (searched on every core; Ctrl-C stops, the same command "
                + "resumes).")
final class KeygenCommand implements Callable<Integer> {
    /** How often a terminal's progress line is redrawn; without a terminal, a plain line this many times rarer. */
    private static final long REDRAW_MS = 250;
    private static final int PLAIN_LINE_EVERY = 20;

    @Option(names = "--data-dir", required = true, description = "The node's data directory.")
    Path dataDir;

    @Option(names = "--json", description = "One JSON object instead of text.")
    boolean json;

    @Option(names = "--pow-bits", defaultValue = "" + ProofOfWork.DEFAULT_BITS, converter = NodeCommand.PowBits.class,
            description = "Leading zero bits of BLAKE3(node ID || nonce) to find (the network's --pow-bits). "
            + "Default ${DEFAULT-VALUE}.")
    int powBits;

    @Option(names = "--threads", converter = IntRange.Positive.class,
            description = "Search threads. Default: one per processor.")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        Ed25519Identity identity = IdentityFile.loadOrCreate(dataDir);
        NodeId id = NodeId.ofPublicKey(identity.publicKey());
        OptionalLong saved = IdentityProof.loadNonce(dataDir, id);
        long nonce;
        if (saved.isPresent() && ProofOfWork.leadingZeroBits(id, saved.getAsLong()) >= powBits) {
            nonce = saved.getAsLong();
        } else {
            nonce = search(id);
            if (nonce < 0) {
                return 130; // interrupted: the state is saved, the hook said where
            }
        }
        String key = MoliaAddress.encodeKey(identity.publicKey());
        int bits = ProofOfWork.leadingZeroBits(id, nonce);
        Path file = dataDir.resolve(IdentityFile.FILE_NAME);
        if (json) {
            System.out.printf("{\"public_key\":\"%s\",\"node_id\":\"%s\",\"file\":\"%s\",\"pow_nonce\":%s,"
                    + "\"pow_bits\":%d}%n", key, id.toHex(), file, Long.toUnsignedString(nonce), bits);
        } else {
            System.out.printf("public key  %s%nnode id     %s%nfile        %s%npow         nonce %s: %d leading zero "
                    + "bits (%s)%n", key, id.toHex(), file, Long.toUnsignedString(nonce), bits,
                    dataDir.resolve(IdentityProof.FILE_NAME));
        }
        return 0;
    }

    /** Finds and saves the nonce; -1 when interrupted (Ctrl-C), the search state then saved to resume from. */
    private long search(NodeId id) throws IOException, InterruptedException {
        long resumeAt = IdentityProof.resumeFrom(dataDir, id, powBits);
        int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        PowSearch search = new PowSearch(id, powBits, threadCount, resumeAt);
        AtomicBoolean finished = new AtomicBoolean();
        Thread onInterrupt = new Thread(() -> {
            if (finished.get()) {
                return;
            }
            search.stop();
            try {
                search.await(5_000);
                IdentityProof.saveSearch(dataDir, id, powBits, search.resumeFrom());
                System.err.printf("%ninterrupted after %,d nonces: the search resumes there when you run the same "
                        + "command again (%s)%n", search.resumeFrom(), dataDir.resolve(IdentityProof.SEARCH_FILE_NAME));
            } catch (IOException | InterruptedException e) {
                System.err.println("interrupted; the search state could not be saved: " + e.getMessage());
            }
        }, "molia-keygen-interrupt");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        PrintStream err = System.err;
        boolean terminal = System.console() != null;
        if (resumeAt > 0) {
            err.printf("resuming the search at nonce %,d%n", resumeAt);
        }
        long startNs = System.nanoTime();
        int redraws = 0;
        search.start();
        while (!search.await(REDRAW_MS)) {
            redraws++;
            if (terminal) {
                err.print("\r" + progress(search, startNs, threadCount) + "   ");
                err.flush();
            } else if (redraws % PLAIN_LINE_EVERY == 0) {
                err.println(progress(search, startNs, threadCount));
            }
            if (redraws % PLAIN_LINE_EVERY == 0) {
                IdentityProof.saveSearch(dataDir, id, powBits, search.resumeFrom()); // survives kill -9 too
            }
        }
        if (search.found() < 0) {
            return -1; // stopped by the hook, which saves and reports
        }
        finished.set(true);
        Runtime.getRuntime().removeShutdownHook(onInterrupt);
        if (terminal) {
            err.print("\r" + " ".repeat(100) + "\r");
        }
        err.printf("found a %d-bit proof of work after %,d nonces in %.1f s%n", powBits, search.triedOverall(),
                (System.nanoTime() - startNs) / 1e9);
        IdentityProof.saveNonce(dataDir, id, search.found());
        return search.found();
    }

    /**
     * One line: nonces tried, the rate, and the expected time left. Each nonce succeeds with probability 2^-bits
     * whatever came before, so "expected" counts from 2^bits tries; past them the line says so.
     */
    private String progress(PowSearch search, long startNs, int threadCount) {
        double seconds = Math.max(1e-3, (System.nanoTime() - startNs) / 1e9);
        double rate = search.tried() / seconds;
        double expectedTries = Math.scalb(1.0, powBits);
        double left = expectedTries - search.triedOverall();
        String eta = rate <= 0 ? "measuring the rate"
                : left > 0 ? String.format("about %.0f s left (expected 2^%d tries)", left / rate, powBits)
                : String.format("past the expected 2^%d tries: any moment now", powBits);
        return String.format("pow search: %,d nonces tried, %.2f M/s on %d threads, %.0f s, %s",
                search.triedOverall(), rate / 1e6, threadCount, seconds, eta);
    }
}
