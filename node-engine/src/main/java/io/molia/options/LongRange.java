package io.molia.options;

import java.util.List;

import picocli.CommandLine.ITypeConverter;

/** A whole number in {@code [min, max]} for a {@code long} option; see {@link IntRange}. */
public abstract class LongRange implements ITypeConverter<Long>, Bounded {
    private final WholeNumberRange range;

    protected LongRange(long min, long max) {
        this.range = new WholeNumberRange(min, max, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    @Override
    public Long convert(String text) {
        return range.convert(text);
    }

    @Override
    public List<String> valuesOutside() {
        return range.valuesOutside();
    }

    /** 1 or more. */
    public static final class Positive extends LongRange {
        public Positive() {
            super(1, Long.MAX_VALUE);
        }
    }

    /** 0 or more. */
    public static final class NonNegative extends LongRange {
        public NonNegative() {
            super(0, Long.MAX_VALUE);
        }
    }
}
