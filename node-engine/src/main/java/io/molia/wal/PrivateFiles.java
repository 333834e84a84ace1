package io.molia.wal;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A data dir is private to the node's user: directories 0700, files 0600 (identity key, WAL queues, snapshots, the
 * lock file, the admin socket). What Molia creates itself it creates so; Chronicle Queue creates its files with the
 * process umask (Java cannot set it), so {@link WalQueues} narrows each one as Chronicle acquires it. The guarantee
 * is the 0700 directories, which make every file under them unreachable to other users whatever its own mode,
 * also in the moment between Chronicle creating a file and the node narrowing it; the files' own modes keep a copy
 * of the directory (a backup, {@code cp -a}) as private.
 *
 * <p>At start, {@link #secure} refuses a data dir owned by another user (that user could read or loosen everything)
 * and narrows anything too open, saying what it changed: a data dir made by {@code mkdir} under the usual umask is
 * 0755, and refusing it would only make the operator type the chmod the node can do. The identity key alone is
 * refused when too open ({@code IdentityFile}): a key others could read may have been copied, and whether to
 * replace it is the operator's decision, as ssh decides for its keys.
 */
public final class PrivateFiles {
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /** Mode 0600 for {@code Files.createFile} and {@code FileChannel.open} with CREATE. */
    public static FileAttribute<Set<PosixFilePermission>> fileMode() {
        return PosixFilePermissions.asFileAttribute(FILE);
    }

    /** Creates {@code dir} and its missing parents with mode 0700; an existing directory is left as it is. */
    public static Path createDirectories(Path dir) throws IOException {
        return Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
    }

    /**
     * Takes group and others' permissions off {@code path} (a symbolic link is left alone, and a file deleted
     * meanwhile, e.g. by a compaction, is nothing to narrow); true if it had any.
     */
    public static boolean narrow(Path path) throws IOException {
        if (Files.isSymbolicLink(path)) {
            return false;
        }
        Set<PosixFilePermission> mode;
        try {
            mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException gone) {
            return false;
        }
        if (!mode.removeAll(GROUP_OR_OTHERS)) {
            return false;
        }
        Files.setPosixFilePermissions(path, mode);
        return true;
    }

    /**
     * The start check of a data dir: throws {@link IllegalStateException} with a one-line reason when another user
     * owns it; otherwise narrows it and everything under it (symbolic links are not followed) and returns what it
     * narrowed, for the caller to warn about. {@code skip} (the identity key, checked by its own rule) is left.
     */
    public static List<Path> secure(Path dataDir, Path skip) throws IOException {
        int owner = (Integer) Files.getAttribute(dataDir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (owner != self) {
            throw new IllegalStateException("data dir " + dataDir + " is owned by uid " + owner + ", not by the node's "
                    + "user (uid " + self + "): chown it, or run the node as its owner");
        }
        List<Path> narrowed = new ArrayList<>();
        Files.walkFileTree(dataDir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (narrow(dir)) {
                    narrowed.add(dir);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!file.equals(skip) && narrow(file)) {
                    narrowed.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return narrowed;
    }
}
