enable f16;

alias elem = f16;
