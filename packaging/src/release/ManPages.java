import java.io.File;

import io.molia.cli.MoliaCommand;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes an AsciiDoc man page for every command of the {@code molia} tree into the directory {@code args[0]}.
 * Run by scripts/release with Java's source launcher. The tree is built by {@link MoliaCommand#newCommandLine()}
 * (the subcommands are added there, not named in an annotation), so picocli-codegen's own command line, which
 * reads the root class's annotation, would see the root alone.
 */
public final class ManPages {
    public static void main(String[] args) throws Exception {
        int exit = ManPageGenerator.generateManPage(new File(args[0]), null, new boolean[0], true,
                MoliaCommand.newCommandLine().getCommandSpec());
        if (exit != 0) {
            throw new IllegalStateException("picocli-codegen's man page generator exited " + exit);
        }
    }
}
