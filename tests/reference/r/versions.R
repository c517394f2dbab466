## Versions of R and the packages behind the reference outputs.
## Run from the repository's top folder:  Rscript tests/reference/r/versions.R
here <- local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  if (length(f) == 1L) dirname(normalizePath(f)) else getwd()
})
pk <- c("nlme", "emmeans", "glmmTMB", "TMB", "numDeriv", "estimability", "lme4", "pbkrtest", "Matrix")
lines <- c(R.version.string,
           paste0("platform: ", R.version$platform),
           paste0("BLAS: ", extSoftVersion()[["BLAS"]]),
           paste0("LAPACK: ", La_library()),
           vapply(pk, function(p) paste0(p, " ", as.character(packageVersion(p))), ""))
writeLines(lines, file.path(here, "versions.txt"))
cat(lines, sep = "\n")
