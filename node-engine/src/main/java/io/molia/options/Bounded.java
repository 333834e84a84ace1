package io.molia.options;

import java.util.List;

/** A converter that refuses values outside a range, and can name values just outside it. */
public interface Bounded {
    /** Values just beyond each finite bound, as an operator would type them (a test feeds them to every option). */
    List<String> valuesOutside();
}
