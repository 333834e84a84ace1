package io.molia.shell;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether stdout is an interactive terminal, on JDK 21 (console present) and 22+ (Console#isTerminal). */
final class Tty {
    private Tty() {
    }

    static boolean isTerminal() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a console exists only for a terminal
        }
    }
}
