/**
 * The offline WAL tools, {@code molia wal dump|verify|replay|compact|stats|bench}: library classes that tests call
 * directly ({@link io.molia.waltools.WalDumper}, {@link io.molia.waltools.WalVerifier}, ...) and thin picocli
 * commands over them ({@link io.molia.waltools.WalCommand}). They read the format of {@code io.molia.wal}
 * (docs/wal-format.md) with the node's own code.
 */
package io.molia.waltools;
