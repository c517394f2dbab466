## Reference adjusted p-values from base R's p.adjust for outcomes.models.multiplicity.adjust.
## Run from the repository's top folder:  Rscript tests/reference/multiplicity/p_adjust.R
## Writes p_adjust.csv next to this script: one row per case x method x endpoint, values printed
## with 17 significant digits (sprintf "%.17g") so that the test can compare at 1e-12.
here <- local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  if (length(f) == 1L) dirname(normalizePath(f)) else getwd()
})

cases <- list(
  # four endpoints, no ties
  plain = c(E1 = 0.01, E2 = 0.04, E3 = 0.03, E4 = 0.005),
  # ties within the family
  ties = c(E1 = 0.02, E2 = 0.02, E3 = 0.04, E4 = 0.04),
  # tiny p-values and p = 1 (Bonferroni caps at 1)
  extremes = c(E1 = 1e-300, E2 = 1, E3 = 0.5, E4 = 2.2e-16),
  # Hochberg rejects all three at 0.05 (largest p <= 0.05); Holm rejects none (3 * 0.03 > 0.05)
  step_up = c(E1 = 0.03, E2 = 0.045, E3 = 0.04),
  # ties at the top with p = 1, five endpoints
  ties_top = c(E1 = 0.04, E2 = 1, E3 = 0.001, E4 = 1, E5 = 0.04)
)
methods <- c("bonferroni", "holm", "hochberg")

rows <- list()
for (case in names(cases)) {
  p <- cases[[case]]
  for (m in methods) {
    rows[[length(rows) + 1L]] <- data.frame(
      case = case, method = m, endpoint = names(p),
      p_value = sprintf("%.17g", p),
      adjusted_p = sprintf("%.17g", p.adjust(p, method = m)),
      stringsAsFactors = FALSE
    )
  }
}
out <- do.call(rbind, rows)
write.csv(out, file.path(here, "p_adjust.csv"), row.names = FALSE, quote = FALSE)
writeLines(R.version.string, file.path(here, "versions.txt"))
cat(R.version.string, "\n")
