mod fixture;
mod formats;
mod helpers;
mod load;
mod pages;
mod reload;
mod render;
mod shipped;
