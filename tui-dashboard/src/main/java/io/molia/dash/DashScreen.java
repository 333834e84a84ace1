package io.molia.dash;

import java.util.List;

import com.googlecode.lanterna.graphics.TextGraphics;

/** One screen of the dashboard: draws a model into the body region it is given (its TextGraphics clips). */
public interface DashScreen {
    /** The name in the tab bar and the help. */
    String name();

    /** Draws {@code m} into {@code g}, whose size is the body region. */
    void render(TextGraphics g, DashModel m, UiState ui);

    /** The rows the arrows move through (filtered and sorted as the UI says); empty when the screen has none. */
    default List<Draw.Row> rows(DashModel m, UiState ui) {
        return List.of();
    }

    /** Whether {@code /} filters this screen's rows. */
    default boolean filterable() {
        return false;
    }

    /** Column names {@code s} cycles through; empty: no sorting. */
    default List<String> sortNames() {
        return List.of();
    }
}
