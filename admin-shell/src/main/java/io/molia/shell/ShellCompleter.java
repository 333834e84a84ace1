package io.molia.shell;

import java.util.List;

import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Tab completion from the picocli model of the shell's commands: command names, then a command's options, an
 * option's values and positional values from their {@code completionCandidates}, which for peers, buckets and
 * shards ask the connected node each time (so completion shows live values).
 */
final class ShellCompleter implements Completer {
    private final CommandLine root;

    ShellCompleter(CommandLine root) {
        this.root = root;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words();
        int index = line.wordIndex();
        if (index == 0) {
            for (var e : root.getSubcommands().entrySet()) {
                String description = first(e.getValue().getCommandSpec().usageMessage().description());
                candidates.add(new Candidate(e.getKey(), e.getKey(), null, description, null, null, true));
            }
            candidates.add(new Candidate("exit", "exit", null, "leave the shell", null, null, true));
            return;
        }
        CommandLine sub = root.getSubcommands().get(words.get(0));
        if (sub == null) {
            return;
        }
        CommandSpec spec = sub.getCommandSpec();
        String current = line.word().substring(0, line.wordCursor());
        OptionSpec previous = index >= 2 ? spec.findOption(words.get(index - 1)) : null;
        if (previous != null && previous.arity().max() > 0) {
            add(previous.completionCandidates(), candidates);
            return;
        }
        if (current.startsWith("-")) {
            for (OptionSpec o : spec.options()) {
                for (String name : o.names()) {
                    candidates.add(new Candidate(name, name, null, first(o.description()), null, null, true));
                }
            }
            return;
        }
        // The n-th positional word (options and their values do not count).
        int positional = 0;
        for (int i = 1; i < index; i++) {
            String w = words.get(i);
            OptionSpec o = spec.findOption(w);
            if (o != null) {
                if (o.arity().max() > 0) {
                    i++;
                }
            } else if (!w.startsWith("-")) {
                positional++;
            }
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.index().contains(positional)) {
                add(p.completionCandidates(), candidates);
                return;
            }
        }
    }

    private static void add(Iterable<String> values, List<Candidate> candidates) {
        if (values == null) {
            return;
        }
        for (String v : values) {
            candidates.add(new Candidate(v, v, null, null, null, null, true));
        }
    }

    private static String first(String[] lines) {
        return lines.length == 0 ? null : lines[0];
    }
}
