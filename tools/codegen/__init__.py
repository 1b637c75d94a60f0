"""The codegen plugin and base-client template that ariadne-codegen uses for wandbkit."""
