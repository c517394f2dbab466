# Writes versions.txt beside this file: the R and package versions used for the reference
# values made by lmm.R and gee.R.
#
# Run from the repository's top folder:
#     Rscript tests/reference/trajectories/versions.R

pkgs <- c("lme4", "lmerTest", "pbkrtest", "geepack", "gee", "Matrix")
lines <- c(R.version.string,
           sprintf("%s %s", pkgs, vapply(pkgs, function(p) as.character(packageVersion(p)), "")),
           sprintf("platform %s", R.version$platform),
           sprintf("BLAS %s", extSoftVersion()[["BLAS"]]),
           sprintf("LAPACK %s", La_library()))
writeLines(lines, file.path("tests", "reference", "trajectories", "versions.txt"))
