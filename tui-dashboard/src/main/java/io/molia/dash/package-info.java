/**
 * {@code molia dash}: a live terminal dashboard over a node's admin socket. {@link io.molia.dash.Sampler} turns
 * the socket's pushed views into immutable {@link io.molia.dash.DashModel} snapshots; one renderer per screen draws
 * a model with Lanterna's {@code TextGraphics}; {@link io.molia.dash.Dashboard} runs the loop (keys, refresh,
 * resize) on a {@code TerminalScreen}, which redraws only the cells that changed.
 */
package io.molia.dash;
