package io.molia.options;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A whole number in {@code [min, max]} for a {@code long} option; see {@link IntRange}. */
public abstract class LongRange implements ITypeConverter<Long>, Bounded {
    private final long min;
    private final long max;

    protected LongRange(long min, long max) {
        this.min = min;
        this.max = max;
    }

    @Override
    public Long convert(String text) {
        long value;
        try {
            value = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a whole number");
        }
        if (value < min || value > max) {
            throw new TypeConversionException((max == Long.MAX_VALUE ? "must be at least " + min
                    : "must be in " + min + ".." + max) + ", not " + text);
        }
        return value;
    }

    @Override
    public List<String> valuesOutside() {
        List<String> out = new ArrayList<>();
        if (min > Long.MIN_VALUE) {
            out.add(Long.toString(min - 1));
        }
        if (max < Long.MAX_VALUE) {
            out.add(Long.toString(max + 1));
        }
        return out;
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
