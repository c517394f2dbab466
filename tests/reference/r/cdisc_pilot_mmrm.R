## The CDISC Pilot 01 plan's primary MMRM (tests/report/plans/cdisc_pilot01_mmrm.toml), fitted in R
## from the ADaM file itself: ADQSADAS as the sponsor filtered it (PARAMCD ACTOT, ANL01FL "Y",
## observed records, EFFFL "Y"), CHG and BASE as the sponsor derived them, arm TRTP, site group
## SITEGR1 as a factor; an unstructured covariance by nlme::gls (corSymm + varIdent), REML.
## The Week 24 differences from Placebo come from emmeans. Estimates do not depend on the df
## method (the plan's Kenward-Roger adjusts standard errors), so only they are compared.
## R 4.2.2, nlme 3.1.162, emmeans 1.8.4.1, foreign 0.8.84 (Debian packages).
##
##     Rscript tests/reference/r/cdisc_pilot_mmrm.R   ->   cdisc_pilot_mmrm.csv

source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))),
                 "common.R"))
library(foreign)

adqs <- read.xport(file.path(DATA_DIR, "cdisc-pilot01", "adqsadas.xpt"))
rows <- subset(adqs, PARAMCD == "ACTOT" & ANL01FL == "Y" & EFFFL == "Y" & DTYPE == "" &
                 AVISIT %in% c("Week 8", "Week 16", "Week 24") & !is.na(CHG))
rows$AVISIT <- factor(rows$AVISIT, levels = c("Week 8", "Week 16", "Week 24"))
rows$TRTP <- relevel(factor(rows$TRTP), ref = "Placebo")
rows$SITEGR1 <- factor(rows$SITEGR1)
rows$visit_index <- as.integer(rows$AVISIT)

fit <- gls(CHG ~ BASE + SITEGR1 + TRTP * AVISIT, data = rows, method = "REML",
           correlation = corSymm(form = ~ visit_index | USUBJID),
           weights = varIdent(form = ~ 1 | AVISIT),
           control = glsControl(tolerance = 1e-12, msTol = 1e-12, maxIter = 500, msMaxIter = 500))
means <- emmeans(fit, ~ TRTP | AVISIT, mode = "df.error")
diffs <- as.data.frame(contrast(means, method = "trt.vs.ctrl", ref = 1))
week24 <- diffs[diffs$AVISIT == "Week 24", ]
write_ref(data.frame(contrast = as.character(week24$contrast),
                     estimate = week24$estimate, n_obs = nrow(rows),
                     n_subjects = length(unique(rows$USUBJID)),
                     reml_log_likelihood = as.numeric(logLik(fit))),
          "cdisc_pilot_mmrm.csv")
