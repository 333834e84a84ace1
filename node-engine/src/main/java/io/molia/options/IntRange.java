package io.molia.options;

import java.util.List;

import picocli.CommandLine.ITypeConverter;

/**
 * A whole number in {@code [min, max]}. Subclass once per rule, next to the option:
 * {@code static final class NodeCount extends IntRange { NodeCount() { super(2, 200); } }}.
 */
public abstract class IntRange implements ITypeConverter<Integer>, Bounded {
    private final WholeNumberRange range;

    protected IntRange(int min, int max) {
        this.range = new WholeNumberRange(min, max, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    @Override
    public Integer convert(String text) {
        return (int) range.convert(text);
    }

    @Override
    public List<String> valuesOutside() {
        return range.valuesOutside();
    }

    /** 1 or more. */
    public static final class Positive extends IntRange {
        public Positive() {
            super(1, Integer.MAX_VALUE);
        }
    }

    /** 0 or more. */
    public static final class NonNegative extends IntRange {
        public NonNegative() {
            super(0, Integer.MAX_VALUE);
        }
    }
}
