package io.molia.options;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A finite number between {@code min} and {@code max}, each bound inclusive or not ({@code [0, 1)} for a loss
 * probability, {@code (0, ∞)} for a duration); see {@link IntRange}.
 */
public abstract class DoubleRange implements ITypeConverter<Double>, Bounded {
    private final double min;
    private final boolean minIncluded;
    private final double max;
    private final boolean maxIncluded;

    protected DoubleRange(double min, boolean minIncluded, double max, boolean maxIncluded) {
        this.min = min;
        this.minIncluded = minIncluded;
        this.max = max;
        this.maxIncluded = maxIncluded;
    }

    @Override
    public Double convert(String text) {
        double value;
        try {
            value = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a number");
        }
        boolean aboveMin = minIncluded ? value >= min : value > min;
        boolean belowMax = maxIncluded ? value <= max : value < max;
        if (!Double.isFinite(value) || !aboveMin || !belowMax) {
            throw new TypeConversionException("must be " + describe() + ", not " + text);
        }
        return value;
    }

    private String describe() {
        if (max == Double.POSITIVE_INFINITY) {
            return (minIncluded ? "at least " : "more than ") + plain(min);
        }
        return "in " + (minIncluded ? "[" : "(") + plain(min) + ", " + plain(max) + (maxIncluded ? "]" : ")");
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    @Override
    public List<String> valuesOutside() {
        List<String> out = new ArrayList<>();
        if (min != Double.NEGATIVE_INFINITY) {
            out.add(plain(minIncluded ? min - 1 : min));
        }
        if (max != Double.POSITIVE_INFINITY) {
            out.add(plain(maxIncluded ? max + 1 : max));
        }
        out.add("NaN");
        return out;
    }

    /** More than 0: a duration, an interval. */
    public static final class Positive extends DoubleRange {
        public Positive() {
            super(0, false, Double.POSITIVE_INFINITY, false);
        }
    }

    /** 0 or more. */
    public static final class NonNegative extends DoubleRange {
        public NonNegative() {
            super(0, true, Double.POSITIVE_INFINITY, false);
        }
    }
}
