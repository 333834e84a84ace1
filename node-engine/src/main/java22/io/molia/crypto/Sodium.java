package io.molia.crypto;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Debian's {@code libsodium23}, loaded and initialised once, and its functions as "critical" downcalls: these may
 * take Java arrays themselves (heap segments, as {@link SodiumX25519} passes its keys), and cost the least per call.
 * Each call is short (tens of microseconds at most) and never calls back into Java, as critical downcalls must be.
 */
final class Sodium {
    private static final String[] LIBRARY_NAMES = {"libsodium.so.23", "libsodium.so"};
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBRARY = load();

    private Sodium() {
    }

    static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LIBRARY.find(name).orElseThrow(), descriptor, Linker.Option.critical(true));
    }

    private static SymbolLookup load() {
        IllegalArgumentException missing = null;
        for (String name : LIBRARY_NAMES) {
            try {
                SymbolLookup library = SymbolLookup.libraryLookup(name, Arena.global());
                MethodHandle init = LINKER.downcallHandle(library.find("sodium_init").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT));
                if ((int) init.invokeExact() < 0) {
                    throw new IllegalStateException("sodium_init failed");
                }
                return library;
            } catch (IllegalArgumentException e) {
                missing = e;
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
        throw missing;
    }
}
