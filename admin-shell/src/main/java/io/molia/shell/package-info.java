/** Placeholder package so the module builds; its content arrives with its own issue (see README, "Status"). */
package io.molia.shell;
