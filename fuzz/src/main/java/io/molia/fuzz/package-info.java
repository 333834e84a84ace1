/** Placeholder package so the module builds; the Jazzer targets arrive with the fuzzing issue (see README, "Status"). */
package io.molia.fuzz;
