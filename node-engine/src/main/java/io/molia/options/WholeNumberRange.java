package io.molia.options;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.TypeConversionException;

/**
 * The check {@link IntRange} and {@link LongRange} share: a whole number in {@code [min, max]}, where a bound equal to
 * the type's own ({@code typeMin}, {@code typeMax}) means none.
 */
record WholeNumberRange(long min, long max, long typeMin, long typeMax) {
    long convert(String text) {
        long value;
        try {
            value = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a whole number");
        }
        if (value < min || value > max) {
            throw new TypeConversionException((max == typeMax ? "must be at least " + min
                    : "must be in " + min + ".." + max) + ", not " + text);
        }
        return value;
    }

    List<String> valuesOutside() {
        List<String> out = new ArrayList<>();
        if (min > typeMin) {
            out.add(Long.toString(min - 1));
        }
        if (max < typeMax) {
            out.add(Long.toString(max + 1));
        }
        return out;
    }
}
