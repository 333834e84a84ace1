package io.molia.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

/** The registry {@code molia fuzz} reads and the {@code @FuzzTest} methods in this module are the same set. */
class FuzzTargetTest {
    @Test
    void everyFuzzTestIsATargetAndEveryTargetHasSeeds() throws Exception {
        Set<String> declared = new TreeSet<>();
        Path classes = Path.of(FuzzTargetTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith("FuzzTest.class"))::iterator) {
                String name = classes.relativize(p).toString().replace('/', '.').replace(".class", "");
                for (Method m : Class.forName(name).getDeclaredMethods()) {
                    if (m.isAnnotationPresent(FuzzTest.class)) {
                        declared.add(name + "#" + m.getName());
                    }
                }
            }
        }
        Set<String> registered = new TreeSet<>();
        for (FuzzTarget t : FuzzTarget.values()) {
            registered.add(t.testClassName() + "#" + t.method());
            assertTrue(seedCount(t) > 0, t.id() + " has no committed inputs in " + t.inputsDir());
        }
        assertEquals(declared, registered);
    }

    private static long seedCount(FuzzTarget t) throws IOException {
        Path dir = Path.of(System.getProperty("user.dir")).resolve(t.inputsDir().substring("fuzz/".length()));
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
