package io.molia.options;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A duration written {@code 90s}, {@code 10m} or {@code 1h} (or {@code 0}); never negative. */
public final class DurationConverter implements ITypeConverter<Duration>, Bounded {
    @Override
    public Duration convert(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (t.matches("\\d{1,9}[smh]")) {
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        throw new TypeConversionException("expected a duration like 90s, 10m or 1h, got '" + text + "'");
    }

    @Override
    public List<String> valuesOutside() {
        return List.of("-5m", "10");
    }
}
