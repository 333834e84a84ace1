package io.molia.options;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A whole number in {@code [min, max]}. Subclass once per rule, next to the option:
 * {@code static final class NodeCount extends IntRange { NodeCount() { super(2, 200); } }}.
 */
public abstract class IntRange implements ITypeConverter<Integer>, Bounded {
    private final int min;
    private final int max;

    protected IntRange(int min, int max) {
        this.min = min;
        this.max = max;
    }

    @Override
    public Integer convert(String text) {
        int value;
        try {
            value = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a whole number");
        }
        if (value < min || value > max) {
            throw new TypeConversionException((max == Integer.MAX_VALUE ? "must be at least " + min
                    : "must be in " + min + ".." + max) + ", not " + text);
        }
        return value;
    }

    @Override
    public List<String> valuesOutside() {
        List<String> out = new ArrayList<>();
        if (min > Integer.MIN_VALUE) {
            out.add(Integer.toString(min - 1));
        }
        if (max < Integer.MAX_VALUE) {
            out.add(Integer.toString(max + 1));
        }
        return out;
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
