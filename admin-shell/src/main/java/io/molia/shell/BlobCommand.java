package io.molia.shell;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.BlobAction;
import io.molia.admin.proto.BlobRepairRound;
import io.molia.adminclient.AdminClient;
import io.molia.adminclient.Render;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code blob put FILE} and {@code blob get KEY -o FILE}: a file stored as an erasure-coded blob and read back
 * (docs/blobs.md), through the admin socket in chunks ({@link AdminBlobClient} does the work), with a progress bar
 * on an interactive terminal. Exit codes as every admin command: 0 done, 1 refused or failed, 2 bad usage.
 */
@Command(name = "blob", description = "Store a file as an erasure-coded blob, or read one into a file.",
        subcommands = {BlobCommand.Put.class, BlobCommand.Get.class, BlobCommand.Repair.class})
final class BlobCommand implements Runnable {
    @ParentCommand
    AdminCommands root;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs {@code work} with the root's connection; failures become one line on stderr and exit code 1. */
    private int run(boolean action, Work work) throws Exception {
        AdminCommands.Context c = root.context();
        try {
            if (action && (root.readonly || c.readonly())) {
                c.err().println("refused: read-only (--readonly)");
                return 1;
            }
            ProgressBar bar = new ProgressBar(c.err(), c.interactive() && !root.json);
            try {
                work.run(new AdminBlobClient(c.client()), bar, c.out());
            } finally {
                bar.end();
            }
            return 0;
        } catch (AdminClient.ConnectException | AdminBlobClient.BlobTransferException e) {
            c.err().println(e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            c.err().println("interrupted: nothing written");
            return 1;
        } catch (java.io.IOException e) {
            c.err().println("blob transfer failed: " + e.getMessage());
            return 1;
        } finally {
            c.out().flush();
            c.err().flush();
            root.finish();
        }
    }

    private interface Work {
        void run(AdminBlobClient blobs, AdminBlobClient.Progress progress, PrintWriter out) throws Exception;
    }

    @Command(name = "put", description = "Store FILE (1 B to 256 MiB) as a blob: 14 fragments per 640 KiB stripe on "
            + "14 nodes, any 10 rebuild it. Prints its key.")
    static final class Put implements Callable<Integer> {
        @ParentCommand
        BlobCommand blob;

        @Parameters(paramLabel = "FILE", description = "The file to store.")
        Path file;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                blob.root.context().err().println("cannot read " + file);
                blob.root.context().err().flush();
                return 1;
            }
            long startedNs = System.nanoTime();
            return blob.run(true, (blobs, progress, out) -> {
                String key = blobs.put(file, progress);
                long ms = (System.nanoTime() - startedNs) / 1_000_000;
                out.println(blob.root.json ? Json.text(JsonNodeFactory.instance.objectNode().put("key", key)
                        .put("bytes", Files.size(file)).put("ms", ms))
                        : "stored " + Render.bytes(Files.size(file)) + " in " + ms + " ms\nkey " + key);
            });
        }
    }

    @Command(name = "get", description = "Read blob KEY into FILE (written to FILE.part, renamed when complete).")
    static final class Get implements Callable<Integer> {
        @ParentCommand
        BlobCommand blob;

        @Parameters(paramLabel = "KEY", description = "The blob's key (64 hex digits, as `blob put` printed it).")
        String key;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Where to write it.")
        Path output;

        @Override
        public Integer call() throws Exception {
            long startedNs = System.nanoTime();
            return blob.run(false, (blobs, progress, out) -> {
                long size = blobs.get(key, output, progress);
                long ms = (System.nanoTime() - startedNs) / 1_000_000;
                out.println(blob.root.json ? Json.text(JsonNodeFactory.instance.objectNode().put("key", key)
                        .put("bytes", size).put("ms", ms).put("file", output.toString()))
                        : "read " + Render.bytes(size) + " in " + ms + " ms into " + output);
            });
        }
    }

    @Command(name = "repair", description = "Run a round of the node's stripe repair now: check the next N stripes it "
            + "holds a fragment of, rebuild and re-place what is missing (the node runs 4 every 10 min on its own).")
    static final class Repair implements Callable<Integer> {
        @Option(names = "--stripes", defaultValue = "4", converter = Stripes.class,
                description = "Stripes to check, 1 to 64 (default ${DEFAULT-VALUE}).")
        int stripes;

        /** 1 to 64: a round the node ends within a client's wait. */
        static final class Stripes extends io.molia.options.IntRange {
            Stripes() {
                super(1, 64);
            }
        }

        @ParentCommand
        BlobCommand blob;

        @Override
        public Integer call() throws Exception {
            try {
                return blob.root.execute(AdminRequest.newBuilder().setBlob(BlobAction.newBuilder().setRepair(
                        BlobRepairRound.newBuilder().setStripes(stripes))), true, r -> null);
            } finally {
                blob.root.finish();
            }
        }
    }

    /** One line redrawn in place on a terminal: the phase, a bar, and how far; nothing when not interactive. */
    static final class ProgressBar implements AdminBlobClient.Progress {
        private static final int WIDTH = 30;
        private final PrintWriter err;
        private final boolean shown;
        private String last = "";

        ProgressBar(PrintWriter err, boolean shown) {
            this.err = err;
            this.shown = shown;
        }

        @Override
        public void update(String phase, long done, long total) {
            if (!shown) {
                return;
            }
            String line = line(phase, done, total);
            if (!line.equals(last)) {
                err.print("\r" + line + "\u001b[K");
                err.flush();
                last = line;
            }
        }

        static String line(String phase, long done, long total) {
            int filled = total <= 0 ? 0 : (int) Math.min(WIDTH, done * WIDTH / total);
            String amount = phase.equals("upload") || phase.equals("download")
                    ? Render.bytes(done) + " / " + Render.bytes(total)
                    : done + " / " + (total <= 0 ? "?" : total) + " fragments";
            return String.format("%-8s [%s%s] %3d%%  %s", phase, "#".repeat(filled), ".".repeat(WIDTH - filled),
                    total <= 0 ? 0 : done * 100 / total, amount);
        }

        void end() {
            if (shown && !last.isEmpty()) {
                err.print("\r\u001b[K");
                err.flush();
            }
        }
    }
}
