package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's test command on a machine that lacks the suite's packages: scripts/test's prerequisite step runs
 * with PATH narrowed to a directory holding wrappers of only the basic tools it calls (and tmux, to show that what is present
 * is not asked for). As root it names what it installs; as another user it stops with one line naming the
 * packages and the command. Needs root (the whole suite does) to run as the other user.
 */
class TestPrerequisitesTest {
    private static final Path SCRIPTS = Path.of("..", "scripts").toAbsolutePath().normalize();
    /** What the suite needs beyond a JDK, but tmux, which the narrowed PATH keeps. */
    private static final String PACKAGES = "maven iproute2 nftables wireguard-go wireguard-tools prometheus "
            + "asciidoctor systemd man-db";

    @TempDir
    Path tmp;
    private Path bin;
    private Path script;

    @BeforeEach
    void narrowPath() throws IOException {
        // A copy of the two scripts the step runs, so the other user can read them wherever the clone lives.
        script = tmp.resolve("repo/scripts/test");
        Files.createDirectories(script.resolveSibling("lib"));
        Files.copy(SCRIPTS.resolve("test"), script);
        Files.copy(SCRIPTS.resolve("lib/prereqs.sh"), script.resolveSibling("lib/prereqs.sh"));
        bin = Files.createDirectory(tmp.resolve("bin"));
        for (String tool : List.of("id", "dirname", "readlink", "tmux")) {
            Path real = Path.of("/usr/bin", tool);
            if (!Files.isExecutable(real)) {
                fail(real + " is missing: the test narrows PATH to the tools scripts/test calls");
            }
            Path wrapper = bin.resolve(tool);
            Files.writeString(wrapper, "#!/bin/sh\nexec " + real + " \"$@\"\n");
            Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        // The other user must reach both.
        try (var paths = Files.walk(tmp)) {
            for (Path p : paths.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    @Test
    void asRootItNamesWhatItInstalls() throws Exception {
        Result r = run(List.of());
        assertEquals(0, r.exit, r.stderr);
        assertEquals(List.of("scripts/test: would install " + PACKAGES + ": "
                + "apt-get install -y --no-install-recommends " + PACKAGES), r.lines());
    }

    @Test
    void asAnotherUserItStopsWithOneLineNamingThePackagesAndTheCommand() throws Exception {
        // setpriv (util-linux) drops to nobody without a login shell or a password.
        Result r = run(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        assertEquals(1, r.exit, r.stderr);
        List<String> lines = r.lines();
        assertEquals(1, lines.size(), "one line, not a wall: " + r.stderr);
        assertTrue(lines.get(0).startsWith("scripts/test: missing " + PACKAGES + ";"), lines.get(0));
        assertTrue(lines.get(0).endsWith("sudo apt-get install -y " + PACKAGES + " && sudo scripts/test"), lines.get(0));
    }

    private record Result(int exit, String stderr) {
        List<String> lines() {
            return stderr.lines().toList();
        }
    }

    private Result run(List<String> asUser) throws Exception {
        List<String> cmd = new ArrayList<>(asUser);
        cmd.addAll(List.of("/bin/bash", script.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PATH", bin.toString());
        pb.environment().put("MOLIA_PREREQS_CHECK_ONLY", "1");
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("scripts/test's prerequisite step did not finish within 30 s");
        }
        return new Result(p.exitValue(), new String(p.getErrorStream().readAllBytes()));
    }
}
