# Benchmark: the same MMRM as benchmarks/mmrm_speed.py, fitted in R, on the same simulated data.
#
# Model: CHG ~ BASE + ARM * VISIT, unstructured covariance over VISIT within SUBJECT, REML,
# ARM reference "PLACEBO"; then the treatment difference at every visit with emmeans.
#   * nlme::gls with corSymm + varIdent (the usual R "MMRM"), Satterthwaite df
#     (emmeans mode = "satterthwaite");
#   * glmmTMB with us(VISIT + 0 | SUBJECT) and dispformula = ~0, emmeans' default df.
# Times the fit plus the contrasts (system.time elapsed), from a data frame in memory; the fit
# alone is also reported (column fit_seconds), since emmeans' Satterthwaite df for gls is slow.
#
# Make the data first (this also prints the Python timings):
#
#   python benchmarks/mmrm_speed.py --subjects 200 2000 20000 --write /tmp/mmrm_bench
#
# Then:
#
#   Rscript benchmarks/mmrm_speed_r.R [CSV ...]
#
# (default /tmp/mmrm_bench/mmrm_{200,2000,20000}.csv). Each fit runs in its own Rscript process
# under `timeout` (default 900 s; environment variable MMRM_R_TIMEOUT), so a fit that does not
# finish is recorded as such rather than hanging the run. The gls fit of a file is skipped
# ("not run") when the gls fit of the next smaller file took 60 s or more (nlme scales badly).
# Results are printed and written to benchmarks/results/r_timings.csv (MMRM_R_OUT to change).
#
# Internal mode (one fit, one result line on stdout):
#   Rscript benchmarks/mmrm_speed_r.R --case gls|glmmTMB FILE.csv

suppressPackageStartupMessages({
  library(nlme)
  library(glmmTMB)
  library(emmeans)
})

read_trial <- function(path) {
  d <- read.csv(path, stringsAsFactors = FALSE)
  d$SUBJECT <- factor(d$SUBJECT)
  d$ARM <- relevel(factor(d$ARM), ref = "PLACEBO")
  visits <- unique(d$VISIT)
  visits <- visits[order(as.integer(sub("^V", "", visits)))]
  d$VISIT <- factor(d$VISIT, levels = visits)
  d[order(d$SUBJECT, d$VISIT), ]
}

# Each returns the contrasts, with the elapsed seconds of the fit alone as attribute "fit_seconds".
fit_gls <- function(d) {
  fit <- NULL
  fit_seconds <- system.time(fit <- gls(
    CHG ~ BASE + ARM * VISIT,
    data = d,
    correlation = corSymm(form = ~ as.integer(VISIT) | SUBJECT),
    weights = varIdent(form = ~ 1 | VISIT),
    method = "REML",
    na.action = na.omit
  ))[["elapsed"]]
  emm <- emmeans(fit, ~ ARM | VISIT, mode = "satterthwaite", data = d)
  structure(as.data.frame(contrast(emm, "revpairwise")), fit_seconds = fit_seconds)
}

fit_glmmtmb <- function(d) {
  fit <- NULL
  fit_seconds <- system.time(fit <- glmmTMB(
    CHG ~ BASE + ARM * VISIT + us(VISIT + 0 | SUBJECT),
    data = d,
    dispformula = ~0,
    REML = TRUE
  ))[["elapsed"]]
  emm <- emmeans(fit, ~ ARM | VISIT, data = d)
  structure(as.data.frame(contrast(emm, "revpairwise")), fit_seconds = fit_seconds)
}

software_label <- function(which) {
  switch(which,
    gls = sprintf("nlme %s gls", packageVersion("nlme")),
    glmmTMB = sprintf("glmmTMB %s", packageVersion("glmmTMB"))
  )
}

run_case <- function(which, path) {
  d <- read_trial(path)
  f <- switch(which, gls = fit_gls, glmmTMB = fit_glmmtmb, stop("unknown case ", which))
  out <- NULL
  warned <- character()
  seconds <- system.time(
    out <- withCallingHandlers(f(d), warning = function(w) {
      warned <<- c(warned, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  )[["elapsed"]]
  last <- out[out$VISIT == tail(levels(d$VISIT), 1), ]
  stopifnot(nrow(last) == 1, as.character(last$contrast) == "DRUG - PLACEBO")
  cat(sprintf(
    "RESULT\t%d\t%d\t%s\t%.3f\t%.6f\t%.6f\t%.2f\t%.3f\t%s\n",
    nlevels(d$SUBJECT), nrow(d), software_label(which), seconds,
    last$estimate, last$SE, last$df, attr(out, "fit_seconds"),
    gsub("[\t\n]+", " ", paste(unique(warned), collapse = "; "))
  ))
}

args <- commandArgs(trailingOnly = TRUE)

if (length(args) >= 1 && args[1] == "--case") {
  run_case(args[2], args[3])
  quit(save = "no", status = 0)
}

# ---- driver ---------------------------------------------------------------------------------

files <- if (length(args)) args else sprintf("/tmp/mmrm_bench/mmrm_%d.csv", c(200, 2000, 20000))
timeout <- as.integer(Sys.getenv("MMRM_R_TIMEOUT", "900"))
out_path <- Sys.getenv("MMRM_R_OUT", "benchmarks/results/r_timings.csv")
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
rscript <- file.path(R.home("bin"), "Rscript")

# Files in order of size, so the gls skip rule can look at the previous (smaller) one.
obs_count <- function(path) length(readLines(path)) - 1L
subj_count <- function(path) length(unique(read.csv(path)$SUBJECT))
n_obs <- vapply(files, obs_count, integer(1))
files <- files[order(n_obs)]

cat(sprintf("%s; nlme %s, glmmTMB %s, emmeans %s, TMB %s, Matrix %s; %s\n",
  R.version.string, packageVersion("nlme"), packageVersion("glmmTMB"),
  packageVersion("emmeans"), packageVersion("TMB"), packageVersion("Matrix"),
  R.version$platform))

rows <- list()
last_gls_seconds <- NA_real_
for (path in files) {
  n_subj <- subj_count(path)
  n_o <- obs_count(path)
  for (which in c("gls", "glmmTMB")) {
    row <- data.frame(
      subjects = n_subj, observations = n_o, software = software_label(which),
      seconds = NA_real_, finished = "no", estimate_last_visit = NA_real_,
      se_last_visit = NA_real_, df_last_visit = NA_real_, fit_seconds = NA_real_, note = "",
      stringsAsFactors = FALSE
    )
    if (which == "gls" && !is.na(last_gls_seconds) && last_gls_seconds >= 60) {
      row$finished <- "not run"
      row$note <- sprintf("not run: gls at the previous size took %.0f s", last_gls_seconds)
      last_gls_seconds <- Inf
    } else if (which == "gls" && is.infinite(last_gls_seconds)) {
      row$finished <- "not run"
      row$note <- "not run: gls at a smaller size did not finish or took >= 60 s"
    } else {
      message(sprintf("fitting %s on %s (timeout %d s) ...", which, basename(path), timeout))
      res <- suppressWarnings(system2(
        "timeout", c(timeout, rscript, "--vanilla", shQuote(self), "--case", which, shQuote(path)),
        stdout = TRUE, stderr = ""
      ))
      status <- attr(res, "status")
      line <- grep("^RESULT\t", res, value = TRUE)
      if (length(line) == 1) {
        p <- strsplit(line, "\t")[[1]]
        row$seconds <- as.numeric(p[5])
        row$finished <- "yes"
        row$estimate_last_visit <- as.numeric(p[6])
        row$se_last_visit <- as.numeric(p[7])
        row$df_last_visit <- as.numeric(p[8])
        row$fit_seconds <- as.numeric(p[9])
        if (length(p) >= 10 && nzchar(p[10])) row$note <- paste("warning:", p[10])
      } else if (!is.null(status) && status == 124) {
        row$note <- sprintf("did not finish within %d s", timeout)
      } else {
        row$note <- sprintf("failed (exit status %s)", if (is.null(status)) "0" else status)
      }
      if (which == "gls") {
        last_gls_seconds <- if (row$finished == "yes") row$seconds else Inf
      }
    }
    rows[[length(rows) + 1]] <- row
    print(row, row.names = FALSE)
  }
}

result <- do.call(rbind, rows)
dir.create(dirname(out_path), showWarnings = FALSE, recursive = TRUE)
write.csv(result, out_path, row.names = FALSE)
cat("\n")
print(result, row.names = FALSE)
cat(sprintf("\nwritten to %s\n", out_path))
