mod fixture;
mod formats;
mod helpers;
mod load;
mod reload;
mod render;
mod shipped;
